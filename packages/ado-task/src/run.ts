import { fileURLToPath } from 'node:url';
import {
  type Environment,
  type Logger,
  type LoginPlan,
  type LoginResult,
  login,
  loginOutputs,
  logout,
  parseState,
  planLogin,
  secretPieces,
} from '@acr-login/core';
import * as internal from 'azure-pipelines-task-lib/internal.js';
import * as tl from 'azure-pipelines-task-lib/task.js';
import {
  type Connection,
  type Localize,
  readTaskInputs,
  SECRET_INPUTS,
  SECRET_PARAMETERS,
  type TaskSource,
} from './context.ts';
import { type FailureFacts, formatFailure } from './hints.ts';
import { AgentProxyDispatcher, proxyToken } from './proxy.ts';

const STATE_VARIABLE = 'acrLoginState';
const LOGOUT_VARIABLE = 'acrLoginLogout';
const SYSTEM_CONNECTION = 'SYSTEMVSSCONNECTION';

const loc: Localize = (key, ...params) => tl.loc(key, ...params);

function mask(secret: string | undefined): void {
  if (secret === undefined) return;
  for (const piece of secretPieces(secret)) tl.setSecret(piece);
}

/**
 * A value straight from task-lib's vault. `getInput` and `getEndpointAuthorizationParameter` write
 * the value to the debug log, so secrets are read here first and masked before those run.
 */
function vaultValue(name: string): string | undefined {
  return internal._vault.retrieveSecret(name);
}

function maskSecretInputs(): void {
  for (const name of SECRET_INPUTS) mask(vaultValue(`INPUT_${internal._getVariableKey(name)}`));
  mask(vaultValue(`ENDPOINT_AUTH_PARAMETER_${SYSTEM_CONNECTION}_ACCESSTOKEN`));
  const id = tl.getInput('azureSubscription')?.trim();
  if (id) {
    for (const key of SECRET_PARAMETERS)
      mask(vaultValue(`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`));
  }
}

const AUTH_PARAMETERS = ['serviceprincipalid', 'tenantid', 'authenticationType', ...SECRET_PARAMETERS];
const DATA_PARAMETERS = ['environment', 'activeDirectoryAuthority', 'msiclientId'];

const agentSource: TaskSource = {
  input: (name) => tl.getInput(name) ?? '',
  connection(id): Connection {
    const parameters: Record<string, string | undefined> = {};
    for (const key of AUTH_PARAMETERS) parameters[key] = tl.getEndpointAuthorizationParameter(id, key, true);
    const data: Record<string, string | undefined> = {};
    for (const key of DATA_PARAMETERS) data[key] = tl.getEndpointDataParameter(id, key, true);
    return { id, scheme: tl.getEndpointAuthorizationScheme(id, true) ?? '', parameters, data };
  },
  systemAccessToken: () => tl.getEndpointAuthorizationParameter(SYSTEM_CONNECTION, 'AccessToken', true),
};

const logger: Logger = {
  debug: (message) => tl.debug(message),
  info: (message) => console.log(message),
  warning: (message) => tl.warning(message),
  mask: (secret) => mask(secret),
};

/** The agent's proxy (Agent.ProxyUrl), which it does not put into HTTPS_PROXY; undefined: core's default. */
function agentDispatcher(): AgentProxyDispatcher | undefined {
  const proxy = tl.getHttpProxyConfiguration();
  if (proxy === null) return undefined;
  mask(proxy.proxyPassword);
  mask(proxyToken(proxy));
  console.log(loc('UsingProxy', proxy.proxyUrl));
  return new AgentProxyDispatcher(proxy);
}

/** Set by `main` as it learns them, so a failure can say which connection and registries it was about. */
let facts: FailureFacts | undefined;

export async function main(): Promise<void> {
  maskSecretInputs();
  facts = { registries: tl.getInput('registry') ?? '' };
  const inputs = readTaskInputs(agentSource, loc);
  facts = { ...facts, connection: inputs.connection };
  const plan: LoginPlan = planLogin(inputs.login, { oidcAvailable: false, env: process.env });
  for (const secret of plan.secrets) mask(secret);
  if (inputs.connection !== undefined) {
    console.log(loc('UsingConnection', inputs.connection.id, inputs.connection.scheme));
  }
  console.log(
    loc('LoggingIn', plan.registries.map((r) => r.loginServer).join(', '), plan.authType, plan.reason),
  );

  const dispatcher = agentDispatcher();
  const environment: Environment = {
    logger,
    env: process.env,
    ...(dispatcher === undefined ? {} : { dispatcher }),
  };
  try {
    const result = await login(plan, environment);
    for (const secret of result.secrets) mask(secret);
    // Save state before anything else can fail, so the post-job step can undo what was written.
    tl.setTaskVariable(STATE_VARIABLE, JSON.stringify(result.state), true);
    tl.setTaskVariable(LOGOUT_VARIABLE, String(inputs.logout));
    setOutputs(result);
    for (const credential of result.credentials) {
      console.log(
        credential.expiresOn === undefined
          ? loc('LoggedIn', credential.loginServer, credential.identity)
          : loc(
              'LoggedInUntil',
              credential.loginServer,
              credential.identity,
              credential.expiresOn.toISOString(),
            ),
      );
    }
    if (result.dockerConfig !== undefined) console.log(loc('DockerConfig', result.dockerConfig));
  } finally {
    await dispatcher?.close();
  }
}

function setOutputs(result: LoginResult): void {
  const outputs = loginOutputs(result);
  for (const [name, value] of Object.entries(outputs)) tl.setVariable(name, value, name === 'password', true);
}

export async function post(): Promise<void> {
  // A login step that failed or never ran saved no state: there is nothing to undo.
  const saved = tl.getTaskVariable(STATE_VARIABLE) ?? '';
  const state = saved === '' ? undefined : parseState(saved);
  if (state === undefined || state.entries.length === 0) {
    console.log(loc('NothingToLogOut'));
    return;
  }
  if (tl.getTaskVariable(LOGOUT_VARIABLE) !== 'true') {
    console.log(loc('LogoutDisabled'));
    return;
  }
  const outcome = await logout(state, { logger, env: process.env });
  console.log(loc('LoggedOut', String(outcome.removed), String(outcome.restored)));
  for (const skipped of outcome.skipped)
    tl.warning(loc('LeftEntry', skipped.key, skipped.file, skipped.reason));
}

/**
 * Runs a step with task.json's messages loaded and turns any failure into a failed task with the fix.
 * `entryUrl` is the bundle's `import.meta.url`: the URL is built here, from a variable, because the
 * bundler would otherwise take `new URL('../task.json', import.meta.url)` for a module to bundle.
 */
export async function run(step: () => Promise<void>, entryUrl: string): Promise<void> {
  tl.setResourcePath(fileURLToPath(new URL('../task.json', entryUrl)));
  try {
    await step();
  } catch (error) {
    tl.setResult(tl.TaskResult.Failed, formatFailure(error, facts ?? { registries: '' }, process.env, loc));
  }
}
