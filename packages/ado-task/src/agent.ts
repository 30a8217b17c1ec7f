import { readFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { format } from 'node:util';
import { inertLine } from '@acr-login/core';
import type { AgentCertificates, AgentProxy } from './proxy.ts';

/**
 * The agent's side of a Node task, the parts this task uses, as azure-pipelines-task-lib 5 speaks it.
 * task-lib itself took 20-30 ms of the task's start-up (docs/design.md, Performance): its many modules,
 * and a vault that encrypts every input with a key it first writes to a file.
 *
 * What it keeps of task-lib's behaviour:
 * - Inputs, service connections, secret variables and task variables leave the environment when the
 *   agent is opened, so no program the step runs inherits them; they are read from a private map.
 * - Commands are `##vso[area.event k=v;]data` lines on stdout, escaped as task-lib escapes them.
 * - Debug lines are left out when the agent asks for that outside debug mode.
 */
export interface Agent {
  /** `INPUT_<NAME>` as the agent set it (not trimmed), or undefined. */
  input(name: string): string | undefined;
  /** `ENDPOINT_AUTH_PARAMETER_<ID>_<KEY>`. */
  authParameter(id: string, key: string): string | undefined;
  /** `ENDPOINT_AUTH_SCHEME_<ID>`. */
  authScheme(id: string): string | undefined;
  /** `ENDPOINT_DATA_<ID>_<KEY>`. */
  dataParameter(id: string, key: string): string | undefined;
  /** A pipeline variable (`Agent.TempDirectory`); a secret one from the private map. */
  variable(name: string): string | undefined;
  taskVariable(name: string): string | undefined;
  setTaskVariable(name: string, value: string, secret: boolean): void;
  /** `task.setvariable`; a public one is also set in this process's environment, as task-lib does. */
  setVariable(name: string, value: string, secret?: boolean, isOutput?: boolean): void;
  setSecret(value: string): void;
  prependPath(dir: string): void;
  debug(message: string): void;
  /** A plain line of the log (`console.log` in task-lib), made inert: see `plainText`. */
  info(message: string): void;
  warning(message: string): void;
  /** `task.issue type=error` then `task.complete result=Failed`. */
  fail(message: string): void;
  proxy(): AgentProxy | undefined;
  certificates(): AgentCertificates | undefined;
}

type Env = Record<string, string | undefined>;

/** What leaves the environment: task-lib's list. */
const PRIVATE_PREFIXES = ['INPUT_', 'ENDPOINT_AUTH_', 'SECUREFILE_TICKET_', 'SECRET_', 'VSTS_TASKVARIABLE_'];

/** `Agent.TempDirectory` → `AGENT_TEMPDIRECTORY`, the name the agent gives a variable in the environment. */
function variableKey(name: string): string {
  return name.replace(/\./g, '_').replace(/ /g, '_').toUpperCase();
}

/** A command's data: `%`, CR and LF escaped. */
function escapeData(value: string): string {
  return value.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * Plain log text the agent shows and never acts on. It reads a line up to CR, LF or CRLF, and acts on
 * `##vso[` anywhere in one; `##[` at a line's start formats the line as an error or a section. Each such
 * marker gets an underscore, as the Azure Pipelines tasks write `##_vso[` for a remote machine's output.
 */
export function plainText(message: string): string[] {
  return message.split(/\r\n|\r|\n/).map(inertLine);
}

/** A command property's value: also `]` and `;`, which end it. */
function escapeProperty(value: string): string {
  return escapeData(value).replace(/]/g, '%5D').replace(/;/g, '%3B');
}

/** `##vso[name k=v;k=v;]data`; properties with an empty value are left out, as task-lib leaves them. */
export function formatCommand(
  name: string,
  properties: Readonly<Record<string, string | undefined>>,
  data: string,
): string {
  const pairs = Object.entries(properties)
    .filter((entry): entry is [string, string] => Boolean(entry[1]))
    .map(([key, value]) => `${key}=${escapeProperty(value)};`)
    .join('');
  return `##vso[${name}${pairs === '' ? '' : ` ${pairs}`}]${escapeData(data)}`;
}

function parseNames(env: Env, name: string): string[] {
  const value = env[name];
  delete env[name];
  if (!value) return [];
  try {
    const names: unknown = JSON.parse(value);
    return Array.isArray(names) ? names.filter((entry): entry is string => typeof entry === 'string') : [];
  } catch {
    throw new Error(`The agent passed ${name} that is not JSON. Run the task on an Azure Pipelines agent.`);
  }
}

/** A secret on more than one line cannot be registered with the agent; task-lib refuses it too. */
function assertOneLine(env: Env, value: string): void {
  if (/[\r\n]/.test(value) && `${env.SYSTEM_UNSAFEALLOWMULTILINESECRET}`.toUpperCase() !== 'TRUE') {
    throw new Error('A secret on more than one line cannot be masked by the agent; register each line.');
  }
}

/**
 * Opens the agent's side of the task: takes the private values out of `env` (the process's environment
 * in a step) and returns the commands. `write` takes one line; stdout by default.
 */
export function openAgent(
  env: Env = process.env,
  write: (line: string) => void = (line) => process.stdout.write(`${line}${EOL}`),
): Agent {
  const vault = new Map<string, string>();
  for (const name of Object.keys(env)) {
    if (!PRIVATE_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    const value = env[name];
    // An empty one stays, as task-lib leaves it: there is nothing to hide.
    if (!value) continue;
    vault.set(name, value);
    delete env[name];
  }
  // Which variables are secret: the agent lists them (2.104.1 and later); older ones only prefix them.
  const secretVariables = new Set(
    [...vault.keys()].filter((name) => name.startsWith('SECRET_')).map((name) => name.slice(7)),
  );
  for (const name of parseNames(env, 'VSTS_PUBLIC_VARIABLES')) secretVariables.delete(variableKey(name));
  for (const name of parseNames(env, 'VSTS_SECRET_VARIABLES')) secretVariables.add(variableKey(name));
  // task-lib tags the issues it reports with this id, and takes it out of the environment.
  const correlationId = env.COMMAND_CORRELATION_ID;
  delete env.COMMAND_CORRELATION_ID;

  const command = (name: string, properties: Record<string, string | undefined>, data = '') =>
    write(formatCommand(name, properties, data));
  const variable = (name: string): string | undefined => {
    const key = variableKey(name);
    return secretVariables.has(key) ? vault.get(`SECRET_${key}`) : env[key];
  };
  const quietDebug =
    variable('DistributedTask.Tasks.Node.SkipDebugLogsWhenDebugModeOff')?.toLowerCase() === 'true' &&
    variable('System.Debug')?.toLowerCase() !== 'true';
  const debug = (message: string) => {
    if (!quietDebug) command('task.debug', {}, message);
  };
  const issue = (type: 'warning' | 'error', message: string) =>
    command('task.issue', { type, source: 'TaskInternal', correlationId }, message);

  return {
    input: (name) => vault.get(`INPUT_${variableKey(name)}`),
    authParameter: (id, key) => vault.get(`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`),
    authScheme: (id) => vault.get(`ENDPOINT_AUTH_SCHEME_${id}`),
    dataParameter: (id, key) => env[`ENDPOINT_DATA_${id}_${key.toUpperCase()}`],
    variable,
    taskVariable: (name) => vault.get(`VSTS_TASKVARIABLE_${variableKey(name)}`)?.trim(),
    setTaskVariable(name, value, secret) {
      if (secret) assertOneLine(env, value);
      vault.set(`VSTS_TASKVARIABLE_${variableKey(name)}`, value);
      command('task.settaskvariable', { variable: name, issecret: String(secret) }, value);
    },
    setVariable(name, value, secret = false, isOutput = false) {
      const key = variableKey(name);
      const isSecret = secret || secretVariables.has(key);
      debug(`set ${name}=${isSecret && value ? '********' : value}`);
      if (isSecret) {
        assertOneLine(env, value);
        vault.set(`SECRET_${key}`, value);
        secretVariables.add(key);
        delete env[key];
      } else {
        env[key] = value;
      }
      command(
        'task.setvariable',
        { variable: name, isOutput: String(isOutput), issecret: String(isSecret) },
        value,
      );
    },
    setSecret(value) {
      if (!value) return;
      assertOneLine(env, value);
      command('task.setsecret', {}, value);
    },
    prependPath: (dir) => command('task.prependpath', {}, dir),
    debug,
    info(message) {
      for (const line of plainText(message)) write(line);
    },
    warning: (message) => issue('warning', message),
    fail(message) {
      debug('task result: Failed');
      issue('error', message);
      command('task.complete', { result: 'Failed' }, message);
    },
    proxy() {
      const proxyUrl = variable('Agent.ProxyUrl');
      if (!proxyUrl) return undefined;
      let bypass: unknown;
      try {
        bypass = JSON.parse(variable('Agent.ProxyBypassList') || '[]');
      } catch {
        bypass = [];
      }
      return {
        proxyUrl,
        proxyUsername: variable('Agent.ProxyUsername'),
        proxyPassword: variable('Agent.ProxyPassword'),
        proxyBypassHosts: Array.isArray(bypass)
          ? bypass.filter((entry): entry is string => typeof entry === 'string')
          : [],
      };
    },
    certificates() {
      const caFile = variable('Agent.CAInfo');
      const certFile = variable('Agent.ClientCert');
      if (!caFile && !certFile) return undefined;
      if (!certFile) return { caFile, certFile };
      return {
        caFile,
        certFile,
        keyFile: variable('Agent.ClientCertKey'),
        certArchiveFile: variable('Agent.ClientCertArchive'),
        passphrase: variable('Agent.ClientCertPassword'),
      };
    },
  };
}

/** task-lib's `loc`: the task's messages from task.json, `%s` filled in as util.format fills it. */
export function taskMessages(taskJsonPath: string): (key: string, ...params: unknown[]) => string {
  const { messages = {} } = JSON.parse(readFileSync(taskJsonPath, 'utf8')) as {
    messages?: Record<string, string>;
  };
  return (key, ...params) => {
    const text = messages[key] ?? key;
    return params.length > 0 ? format(text, ...params) : text;
  };
}
