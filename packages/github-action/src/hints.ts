import { readFileSync } from 'node:fs';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * What the runner gives a job without `id-token: write`, explained with the YAML that fixes it. On a
 * fork's pull request or a Dependabot run no permission helps, so that explanation comes first and alone.
 */
export function oidcUnavailableHint(env: Env): string {
  const fork = forkOrDependabot(env);
  if (fork !== undefined) return fork;
  return [
    'The GitHub OIDC token service is not available to this job (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set): grant the job "id-token: write" to let it request an OIDC token:',
    '',
    '  permissions:',
    '    id-token: write',
    '    contents: read',
    '',
    'A "permissions" block that lists other scopes but not "id-token: write" removes it too.',
  ].join('\n');
}

const DEPENDABOT = 'dependabot[bot]';

interface Repo {
  readonly full_name?: string;
  readonly fork?: boolean;
}

/** The parts of the event payload (GITHUB_EVENT_PATH) that tell who the run is for. */
interface EventPayload {
  readonly sender?: { readonly login?: string };
  readonly pull_request?: {
    readonly head?: { readonly repo?: Repo | null };
    readonly base?: { readonly repo?: Repo };
  };
}

function readEvent(env: Env): EventPayload | undefined {
  if (env.GITHUB_EVENT_PATH === undefined || env.GITHUB_EVENT_PATH === '') return undefined;
  try {
    return JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as EventPayload;
  } catch {
    // The event file is informational here; without it there is simply no hint.
    return undefined;
  }
}

/**
 * The pull request's changes come from another repository: its head repository differs from its base, or
 * is gone (a deleted fork). `head.repo.fork` alone would also be true for a branch of a repository that is
 * itself a fork, so it decides only when the payload names no repositories.
 */
function fromFork(event: EventPayload | undefined): boolean {
  const pullRequest = event?.pull_request;
  if (pullRequest === undefined) return false;
  const head = pullRequest.head?.repo;
  if (head === null) return true;
  const base = pullRequest.base?.repo?.full_name;
  if (head?.full_name !== undefined && base !== undefined) {
    return head.full_name.toLowerCase() !== base.toLowerCase();
  }
  return head?.fork === true;
}

function isDependabot(env: Env, event: EventPayload | undefined): boolean {
  return env.GITHUB_ACTOR === DEPENDABOT || event?.sender?.login === DEPENDABOT;
}

const DEPENDABOT_HINT =
  'This run was triggered by Dependabot: Actions secrets are not passed to it. Store the secret as a Dependabot secret as well, or use OIDC.';
const FORK_HINT =
  'This run is a pull request from a fork: GitHub passes it neither secrets nor an OIDC token. Log in from a workflow that runs on push, or on pull_request_target with care.';

/** Why secrets and OIDC are missing on fork pull requests and Dependabot runs, or undefined. */
export function forkOrDependabot(env: Env): string | undefined {
  const event = readEvent(env);
  if (isDependabot(env, event)) return DEPENDABOT_HINT;
  if (env.GITHUB_EVENT_NAME === 'pull_request' && fromFork(event)) return FORK_HINT;
  return undefined;
}

/**
 * Why `auth-type: auto` must not fall back to the machine's managed identity in this run, or undefined: its
 * secrets are withheld (a fork's pull request, Dependabot), so an empty credential input is expected rather
 * than a choice; or it runs for a fork's pull request with this repository's access (pull_request_target).
 * Either way the run may execute code that is not the repository's, and the machine's identity is the one
 * credential such code would still get.
 */
export function untrustedRun(env: Env): string | undefined {
  const withheld = forkOrDependabot(env);
  if (withheld !== undefined) return withheld;
  if (env.GITHUB_EVENT_NAME === 'pull_request_target' && fromFork(readEvent(env))) {
    return "This run is a pull_request_target event for a pull request from a fork: it runs with this repository's secrets and permissions, next to code the fork's author may control.";
  }
  return undefined;
}
