import {
  AcrLoginError,
  type Environment,
  failureLines,
  type Logger,
  type LoginResult,
  login,
  loginOutputs,
  logout,
  parseState,
  planLogin,
  secretPieces,
} from '@acr-login/core';
import * as core from '@actions/core';
import { readInputs, SECRET_INPUTS } from './context.ts';
import { forkOrDependabot, oidcUnavailableHint } from './hints.ts';
import { writeSummary } from './summary.ts';

const STATE_KEY = 'login-state';
const LOGOUT_KEY = 'logout';

function setSecret(secret: string): void {
  for (const piece of secretPieces(secret)) core.setSecret(piece);
}

function logger(maskPassword: boolean): Logger {
  let warned = false;
  return {
    debug: (message) => core.debug(message),
    info: (message) => core.info(message),
    warning: (message) => core.warning(message),
    mask(secret, kind) {
      if (kind === 'registry-password' && !maskPassword) {
        if (!warned) core.warning('"mask-password" is false: the registry password is not masked in logs.');
        warned = true;
        return;
      }
      setSecret(secret);
    },
  };
}

/** The failure as the user sees it: core's message, its facts and its error code. */
export function formatFailure(error: unknown): string {
  return failureLines(error).join('\n');
}

export async function main(): Promise<void> {
  // Mask secret inputs before anything else can print them.
  for (const name of SECRET_INPUTS) {
    const value = core.getInput(name);
    if (value.trim() !== '') setSecret(value);
  }
  const inputs = readInputs((name) => core.getInput(name));
  const env = process.env;
  const oidcAvailable = Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  let plan: ReturnType<typeof planLogin>;
  try {
    plan = planLogin(inputs.login, { oidcAvailable, oidcUnavailableHint: oidcUnavailableHint(env), env });
  } catch (error) {
    if (!(error instanceof AcrLoginError) || error.code !== 'INPUT_REQUIRED') throw error;
    const hint = forkOrDependabot(env);
    throw hint === undefined
      ? error
      : new AcrLoginError(error.code, `${error.message}\n${hint}`, { cause: error });
  }
  for (const secret of plan.secrets) setSecret(secret);
  core.info(
    `Logging in to ${plan.registries.map((r) => r.loginServer).join(', ')} (${plan.authType}: ${plan.reason})`,
  );

  const environment: Environment = {
    logger: logger(inputs.maskPassword),
    env,
    oidcToken: (audience) => core.getIDToken(audience),
  };
  const result = await login(plan, environment);
  // Save state before anything else can fail, so the post step can undo what was written.
  core.saveState(STATE_KEY, JSON.stringify(result.state));
  core.saveState(LOGOUT_KEY, String(inputs.logout));
  setOutputs(result);
  for (const credential of result.credentials) {
    const expiry =
      credential.expiresOn === undefined ? '' : `, valid until ${credential.expiresOn.toISOString()}`;
    core.info(`Logged in to ${credential.loginServer} as ${credential.identity}${expiry}`);
  }
  if (result.dockerConfig !== undefined) core.info(`Docker config: ${result.dockerConfig}`);
  await writeSummary(result, plan);
}

function setOutputs(result: LoginResult): void {
  const outputs = loginOutputs(result);
  core.setOutput('login-server', outputs.loginServer);
  core.setOutput('login-servers', outputs.loginServers);
  core.setOutput('username', outputs.username);
  core.setOutput('password', outputs.password);
  core.setOutput('expires-on', outputs.expiresOn);
  core.setOutput('docker-config', outputs.dockerConfig);
}

export async function post(): Promise<void> {
  const saved = core.getState(STATE_KEY);
  const state = saved === '' ? undefined : parseState(saved);
  if (state === undefined || state.entries.length === 0) {
    core.info('Nothing to log out: the login step wrote no credentials.');
    return;
  }
  if (core.getState(LOGOUT_KEY) !== 'true') {
    core.info('"logout" is false: leaving the credentials in place.');
    return;
  }
  const outcome = await logout(state, { logger: logger(true), env: process.env });
  core.info(
    `Logged out: ${outcome.removed} credential entries removed, ${outcome.restored} restored to their earlier value.`,
  );
  for (const skipped of outcome.skipped) {
    core.warning(`Left ${skipped.key} in ${skipped.file}: ${skipped.reason}`);
  }
}

/** Runs a step and turns any failure into a failed step with a readable message. */
export async function run(step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    core.setFailed(formatFailure(error));
  }
}
