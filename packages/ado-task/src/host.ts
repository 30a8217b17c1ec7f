import { fileURLToPath } from 'node:url';
import {
  type Host,
  type LoginInputKey,
  type StateName,
  type StepInputKey,
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
  type TaskInputs,
  type TaskSource,
} from './context.ts';
import { taskHints } from './hints.ts';
import { agentTransport, proxyToken, tlsOptions } from './proxy.ts';
import { taskWords } from './words.ts';

const SYSTEM_CONNECTION = 'SYSTEMVSSCONNECTION';
const AUTH_PARAMETERS = ['serviceprincipalid', 'tenantid', 'authenticationType', ...SECRET_PARAMETERS];
const DATA_PARAMETERS = ['environment', 'activeDirectoryAuthority', 'msiclientId'];

/** Task variables carry state from the main step to the post-job step. */
const STATE_VARIABLES: Readonly<Record<StateName, string>> = {
  isPost: 'acrLoginIsPost',
  loginState: 'acrLoginState',
  logout: 'acrLoginLogout',
  pullSecretFile: 'acrLoginPullSecretFile',
  renewal: 'acrLoginRenewal',
  expiresOn: 'acrLoginExpiresOn',
};

const loc: Localize = (key, ...params) => tl.loc(key, ...params);

function mask(secret: string | undefined): void {
  for (const piece of secretPieces(secret ?? '')) tl.setSecret(piece);
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

/**
 * The host port on Azure Pipelines, through task-lib. `entryUrl` is the bundle's `import.meta.url`:
 * task.json, whose messages the task speaks, sits beside the bundle.
 */
export function taskHost(entryUrl: string, env = process.env): Host {
  tl.setResourcePath(fileURLToPath(new URL('task.json', entryUrl)));
  let inputs: TaskInputs | undefined;
  // The task's inputs and its service connection, read once, secrets masked before anything else reads them.
  const taskInputs = (): TaskInputs => {
    if (inputs === undefined) {
      maskSecretInputs();
      inputs = readTaskInputs(agentSource, loc);
    }
    return inputs;
  };
  return {
    get words() {
      return taskWords(inputs);
    },
    text: (id, ...params) => loc(id, ...params),
    input(key: LoginInputKey | StepInputKey) {
      if (key === 'logout') return tl.getInput('logout') ?? '';
      if (key === 'renew') return tl.getInput('renew') ?? '';
      if (key === 'isolateConfig') return tl.getInput('isolateConfig') ?? '';
      if (key === 'maskPassword') return '';
      return taskInputs().login[key] ?? '';
    },
    mask: (secret) => tl.setSecret(secret),
    debug: (message) => tl.debug(message),
    info: (message) => console.log(message),
    warning: (message) => tl.warning(message),
    setOutput: (name, value, secret) => tl.setVariable(name, value, secret, true),
    saveState: (name, value) => tl.setTaskVariable(STATE_VARIABLES[name], value, name === 'loginState'),
    loadState: (name) => tl.getTaskVariable(STATE_VARIABLES[name]) ?? '',
    debugging: () => (tl.getVariable('System.Debug') ?? '').toLowerCase() === 'true',
    env,
    tempDir: () => tl.getVariable('Agent.TempDirectory'),
    addPath: (dir) => tl.prependPath(dir),
    // `##vso[task.setvariable variable=DOCKER_CONFIG]`: the agent maps the variable into the environment
    // of the job's later tasks; task-lib sets it in this process too.
    exportVariable: (name, value) => tl.setVariable(name, value),
    proxyUrl() {
      const proxy = tl.getHttpProxyConfiguration();
      return proxy === null || proxy.proxyUsername ? undefined : proxy.proxyUrl;
    },
    caFile: () => tl.getHttpCertConfiguration()?.caFile || undefined,
    intro() {
      const { connection } = taskInputs();
      return connection === undefined ? [] : [loc('UsingConnection', connection.id, connection.scheme)];
    },
    dispatcher() {
      // The agent's proxy (Agent.ProxyUrl) is not in HTTPS_PROXY, so core's default cannot see it.
      const proxy = tl.getHttpProxyConfiguration() ?? undefined;
      const certificates = tl.getHttpCertConfiguration() ?? undefined;
      if (proxy === undefined && certificates === undefined) return undefined;
      if (proxy !== undefined) {
        mask(proxy.proxyPassword);
        mask(proxyToken(proxy));
        console.log(loc('UsingProxy', proxy.proxyUrl));
      }
      if (certificates !== undefined) {
        mask(certificates.passphrase);
        console.log(
          loc(
            'UsingCertificates',
            certificates.caFile ?? '-',
            certificates.certFile ?? certificates.certArchiveFile ?? '-',
          ),
        );
      }
      return agentTransport(proxy, certificates === undefined ? {} : tlsOptions(certificates));
    },
    hints: (error) =>
      taskHints(
        error,
        { registries: tl.getInput('registry') ?? '', connection: inputs?.connection },
        env,
        loc,
      ),
    fail: (message) => tl.setResult(tl.TaskResult.Failed, message),
  };
}
