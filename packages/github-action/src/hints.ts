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

/** Why secrets and OIDC are missing on fork pull requests and Dependabot runs, or undefined. */
export function forkOrDependabot(env: Env): string | undefined {
  if (env.GITHUB_ACTOR === 'dependabot[bot]') {
    return 'This run was triggered by Dependabot: Actions secrets are not passed to it. Store the secret as a Dependabot secret as well, or use OIDC.';
  }
  if (env.GITHUB_EVENT_NAME !== 'pull_request' || env.GITHUB_EVENT_PATH === undefined) return undefined;
  try {
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
      pull_request?: { head?: { repo?: { fork?: boolean } } };
    };
    if (event.pull_request?.head?.repo?.fork === true) {
      return 'This run is a pull request from a fork: GitHub passes it neither secrets nor an OIDC token. Log in from a workflow that runs on push, or on pull_request_target with care.';
    }
  } catch {
    // The event file is informational here; without it there is simply no hint.
  }
  return undefined;
}
