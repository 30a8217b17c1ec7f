import { fileURLToPath } from 'node:url';
import {
  type Host,
  type LoginInputKey,
  maskOnce,
  type RenewalOidc,
  type StateName,
  type StepInputKey,
} from '@acr-login/core';
import { type Agent, openAgent, taskMessages } from './agent.ts';
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
import { agentProxy } from './proxy.ts';
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

/** Every secret the agent passed for this task is registered with it before anything can print it. */
function maskSecretInputs(agent: Agent, mask: (secret: string | undefined) => void): void {
  for (const name of SECRET_INPUTS) mask(agent.input(name));
  mask(agent.authParameter(SYSTEM_CONNECTION, 'AccessToken'));
  const id = agent.input('azureSubscription')?.trim();
  if (id) {
    for (const key of SECRET_PARAMETERS) mask(agent.authParameter(id, key));
  }
}

function agentSource(agent: Agent): TaskSource {
  return {
    input: (name) => agent.input(name) ?? '',
    connection(id): Connection {
      const parameters: Record<string, string | undefined> = {};
      for (const key of AUTH_PARAMETERS) parameters[key] = agent.authParameter(id, key);
      const data: Record<string, string | undefined> = {};
      for (const key of DATA_PARAMETERS) data[key] = agent.dataParameter(id, key);
      return { id, scheme: agent.authScheme(id) ?? '', parameters, data };
    },
    systemAccessToken: () => agent.authParameter(SYSTEM_CONNECTION, 'AccessToken'),
  };
}

/**
 * The request URI the agent gives a job that may use OIDC (a workload identity federation service
 * connection); AzurePipelinesCredential reads it from the environment, the renewal agent gets it in its plan.
 */
function renewalOidc(env: NodeJS.ProcessEnv): RenewalOidc | undefined {
  const requestUri = env.SYSTEM_OIDCREQUESTURI;
  return requestUri ? { authType: 'azure-pipelines', requestUri } : undefined;
}

/** Step inputs have the same name on the task; the login's come through readTaskInputs. */
function taskInput(agent: Agent, taskInputs: () => TaskInputs, key: LoginInputKey | StepInputKey): string {
  if (key === 'logout' || key === 'renew' || key === 'isolateConfig' || key === 'pullSecret')
    return agent.input(key) ?? '';
  if (key === 'maskPassword') return '';
  return taskInputs().login[key] ?? '';
}

/**
 * The host port on Azure Pipelines. `entryUrl` is the bundle's `import.meta.url`: task.json, whose
 * messages the task speaks, sits beside the bundle. `env` is the process's environment in a step: the
 * agent's private values leave it here.
 */
export function taskHost(entryUrl: string, env = process.env): Host {
  const agent = openAgent(env);
  const loc: Localize = taskMessages(fileURLToPath(new URL('task.json', entryUrl)));
  // Each line once, for the task's own secrets and core's alike: both hand over what they hold.
  const mask = maskOnce((line) => agent.setSecret(line));
  let inputs: TaskInputs | undefined;
  // The task's inputs and its service connection, read once, secrets masked before anything else reads them.
  const taskInputs = (): TaskInputs => {
    if (inputs === undefined) {
      maskSecretInputs(agent, mask);
      inputs = readTaskInputs(agentSource(agent), loc);
    }
    return inputs;
  };
  return {
    get words() {
      return taskWords(inputs);
    },
    text: (id, ...params) => loc(id, ...params),
    input: (key) => taskInput(agent, taskInputs, key),
    mask,
    debug: (message) => agent.debug(message),
    info: (message) => agent.info(message),
    warning: (message) => agent.warning(message),
    setOutput: (name, value, secret) => agent.setVariable(name, value, secret, true),
    saveState: (name, value) => agent.setTaskVariable(STATE_VARIABLES[name], value, name === 'loginState'),
    loadState: (name) => agent.taskVariable(STATE_VARIABLES[name]) ?? '',
    debugging: () => (agent.variable('System.Debug') ?? '').toLowerCase() === 'true',
    env,
    tempDir: () => agent.variable('Agent.TempDirectory'),
    addPath: (dir) => agent.prependPath(dir),
    // `##vso[task.setvariable variable=DOCKER_CONFIG]`: the agent maps the variable into the environment
    // of the job's later tasks, and it is set in this process too.
    exportVariable: (name, value) => agent.setVariable(name, value),
    renewalProxy() {
      // The agent's proxy settings live outside the environment: the renewal agent gets them, credentials
      // and bypass list included, in its plan on stdin, and keeps them in memory.
      const proxy = agent.proxy();
      return proxy === undefined ? undefined : agentProxy(proxy);
    },
    // The agent's CA and client certificate, which Node's own settings do not name: the renewal agent
    // trusts and presents them as the login did.
    renewalTls: () => agent.certificates(),
    renewalOidc: () => renewalOidc(env),
    intro() {
      const { connection } = taskInputs();
      return connection === undefined ? [] : [loc('UsingConnection', connection.id, connection.scheme)];
    },
    // Loaded by the main step only: the post step makes no request and loads no HTTP client.
    dispatcher: async () => (await import('./agent-transport.ts')).agentDispatcher(agent, loc, mask),
    hints: (error) =>
      taskHints(
        error,
        { registries: agent.input('registry') ?? '', connection: inputs?.connection },
        env,
        loc,
      ),
    fail: (message) => agent.fail(message),
  };
}
