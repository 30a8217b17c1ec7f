import {
  englishText,
  type GithubOidcEndpoint,
  type Host,
  kebabCase,
  type LoginInputKey,
  maskOnce,
  plainWords,
  type StateName,
  type StepInputKey,
  type Vocabulary,
} from '@acr-login/core';
import { forkOrDependabot, oidcUnavailableHint, untrustedRun } from './hints.ts';
import * as core from './runner.ts';
import { writeSummary } from './summary.ts';

/** Inputs of Azure Pipelines that have no place in a workflow. */
const TASK_ONLY = new Set<string>(['serviceConnectionId', 'systemAccessToken']);

/** action.yml names every input as the kebab-case of core's key, the spelling core's own messages use. */
export const actionWords: Vocabulary = plainWords;

/** An input as the runner passes it, by core's key: `clientSecret` is `client-secret`. */
export function actionInput(key: LoginInputKey | StepInputKey): string {
  return TASK_ONLY.has(key) ? '' : core.getInput(kebabCase(key));
}

type Env = Readonly<Record<string, string | undefined>>;

/** The host port on GitHub Actions, through the runner's commands and files (runner.ts). */
export function actionHost(env: Env = process.env): Host {
  return {
    words: actionWords,
    text: englishText,
    input: actionInput,
    // Each line once: core hands a secret over wherever it is held (inputs, plan, written login).
    mask: maskOnce(core.setSecret),
    debug: (message) => core.debug(message),
    info: (message) => core.info(message),
    warning: (message) => core.warning(message),
    notice: (message) => core.notice(message),
    setOutput: (name, value) => core.setOutput(kebabCase(name), value),
    saveState: (name: StateName, value) => core.saveState(kebabCase(name), value),
    loadState: (name: StateName) => core.getState(kebabCase(name)),
    debugging: () => core.isDebug(),
    untrustedRun: () => untrustedRun(env),
    env,
    oidc: {
      available: () => Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN),
      unavailableHint: () => oidcUnavailableHint(env),
      token: async (audience, transport) => {
        const endpoint = oidcEndpoint(env);
        if (endpoint === undefined) throw new Error('ACTIONS_ID_TOKEN_REQUEST_URL is not set');
        // Loaded by the logins that ask for a token: the post step loads no HTTP client at all.
        const { githubOidcProvider } = await import('@acr-login/core/github-oidc');
        return githubOidcProvider(endpoint, transport)(audience);
      },
    },
    renewalOidc() {
      const endpoint = oidcEndpoint(env);
      return endpoint === undefined ? undefined : { authType: 'oidc', ...endpoint };
    },
    tempDir: () => env.RUNNER_TEMP,
    addPath: (dir) => core.addPath(dir),
    // A runner without GITHUB_ENV cannot point later steps at the job's client files: the files under HOME.
    ...(env.GITHUB_ENV
      ? { exportVariable: (name: string, value: string) => core.exportVariable(name, value, env) }
      : {}),
    hints: (error) => failureHints(error, env),
    ...(env.GITHUB_STEP_SUMMARY ? { summary: writeSummary } : {}),
    fail: (message) => core.setFailed(message),
  } satisfies Host;
}

/** Where the job asks for OIDC tokens; set only with `permissions: id-token: write`. */
function oidcEndpoint(env: Env): GithubOidcEndpoint | undefined {
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  return requestUrl && requestToken ? { requestUrl, requestToken } : undefined;
}

/** Why a required value is missing when GitHub withholds secrets (fork pull requests, Dependabot). */
export function failureHints(error: unknown, env: Env): string[] {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code !== 'INPUT_REQUIRED') return [];
  const hint = forkOrDependabot(env);
  // Core's message may carry it already (auto refusing the machine's identity): say it once.
  const text = error instanceof Error ? error.message : '';
  return hint === undefined || text.includes(hint) ? [] : [hint];
}
