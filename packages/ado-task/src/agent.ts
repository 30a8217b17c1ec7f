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

/** Where a variable is read from: the environment, or the private map for a secret one. */
interface Variables {
  readonly env: Env;
  readonly vault: Map<string, string>;
  /** Keys (`AGENT_TEMPDIRECTORY`) of the secret variables, kept in the vault as `SECRET_<key>`. */
  readonly secretVariables: Set<string>;
}

/** What the agent's commands share once it is opened. */
interface AgentState extends Variables {
  readonly write: (line: string) => void;
  readonly correlationId: string | undefined;
  /** Debug lines are left out. */
  readonly quietDebug: boolean;
}

/**
 * Opens the agent's side of the task: takes the private values out of `env` (the process's environment
 * in a step) and returns the commands. `write` takes one line; stdout by default.
 */
export function openAgent(
  env: Env = process.env,
  write: (line: string) => void = (line) => process.stdout.write(`${line}${EOL}`),
): Agent {
  const vault = takePrivateValues(env);
  const variables: Variables = { env, vault, secretVariables: secretVariableKeys(env, vault) };
  // task-lib tags the issues it reports with this id, and takes it out of the environment.
  const correlationId = env.COMMAND_CORRELATION_ID;
  delete env.COMMAND_CORRELATION_ID;
  const variable = (name: string) => readVariable(variables, name);
  const state: AgentState = { ...variables, write, correlationId, quietDebug: debugIsQuiet(variable) };
  return {
    input: (name) => vault.get(`INPUT_${variableKey(name)}`),
    authParameter: (id, key) => vault.get(`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`),
    authScheme: (id) => vault.get(`ENDPOINT_AUTH_SCHEME_${id}`),
    dataParameter: (id, key) => env[`ENDPOINT_DATA_${id}_${key.toUpperCase()}`],
    variable,
    taskVariable: (name) => vault.get(`VSTS_TASKVARIABLE_${variableKey(name)}`)?.trim(),
    setTaskVariable: (name, value, secret) => setTaskVariable(state, name, value, secret),
    setVariable: (name, value, secret = false, isOutput = false) =>
      setVariable(state, name, value, secret, isOutput),
    setSecret: (value) => setSecret(state, value),
    prependPath: (dir) => command(state, 'task.prependpath', {}, dir),
    debug: (message) => debug(state, message),
    info(message) {
      for (const line of plainText(message)) write(line);
    },
    warning: (message) => issue(state, 'warning', message),
    fail: (message) => fail(state, message),
    proxy: () => agentProxy(variable),
    certificates: () => agentCertificates(variable),
  };
}

/** Moves the inputs, service connections, secrets and task variables from `env` into a private map. */
function takePrivateValues(env: Env): Map<string, string> {
  const vault = new Map<string, string>();
  for (const name of Object.keys(env)) {
    if (!PRIVATE_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    const value = env[name];
    // An empty one stays, as task-lib leaves it: there is nothing to hide.
    if (!value) continue;
    vault.set(name, value);
    delete env[name];
  }
  return vault;
}

/** Which variables are secret: the agent lists them (2.104.1 and later); older ones only prefix them. */
function secretVariableKeys(env: Env, vault: ReadonlyMap<string, string>): Set<string> {
  const keys = new Set(
    [...vault.keys()].filter((name) => name.startsWith('SECRET_')).map((name) => name.slice(7)),
  );
  for (const name of parseNames(env, 'VSTS_PUBLIC_VARIABLES')) keys.delete(variableKey(name));
  for (const name of parseNames(env, 'VSTS_SECRET_VARIABLES')) keys.add(variableKey(name));
  return keys;
}

function readVariable(variables: Variables, name: string): string | undefined {
  const key = variableKey(name);
  return variables.secretVariables.has(key) ? variables.vault.get(`SECRET_${key}`) : variables.env[key];
}

/** The agent asks for no debug lines outside debug mode. */
function debugIsQuiet(variable: (name: string) => string | undefined): boolean {
  return (
    variable('DistributedTask.Tasks.Node.SkipDebugLogsWhenDebugModeOff')?.toLowerCase() === 'true' &&
    variable('System.Debug')?.toLowerCase() !== 'true'
  );
}

function command(
  state: AgentState,
  name: string,
  properties: Record<string, string | undefined>,
  data = '',
): void {
  state.write(formatCommand(name, properties, data));
}

function debug(state: AgentState, message: string): void {
  if (!state.quietDebug) command(state, 'task.debug', {}, message);
}

function issue(state: AgentState, type: 'warning' | 'error', message: string): void {
  command(state, 'task.issue', { type, source: 'TaskInternal', correlationId: state.correlationId }, message);
}

function fail(state: AgentState, message: string): void {
  debug(state, 'task result: Failed');
  issue(state, 'error', message);
  command(state, 'task.complete', { result: 'Failed' }, message);
}

function setTaskVariable(state: AgentState, name: string, value: string, secret: boolean): void {
  if (secret) assertOneLine(state.env, value);
  state.vault.set(`VSTS_TASKVARIABLE_${variableKey(name)}`, value);
  command(state, 'task.settaskvariable', { variable: name, issecret: String(secret) }, value);
}

function setVariable(
  state: AgentState,
  name: string,
  value: string,
  secret: boolean,
  isOutput: boolean,
): void {
  const key = variableKey(name);
  const isSecret = secret || state.secretVariables.has(key);
  debug(state, `set ${name}=${isSecret && value ? '********' : value}`);
  if (isSecret) {
    assertOneLine(state.env, value);
    state.vault.set(`SECRET_${key}`, value);
    state.secretVariables.add(key);
    delete state.env[key];
  } else {
    state.env[key] = value;
  }
  command(
    state,
    'task.setvariable',
    { variable: name, isOutput: String(isOutput), issecret: String(isSecret) },
    value,
  );
}

function setSecret(state: AgentState, value: string): void {
  if (!value) return;
  assertOneLine(state.env, value);
  command(state, 'task.setsecret', {}, value);
}

function agentProxy(variable: (name: string) => string | undefined): AgentProxy | undefined {
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
}

function agentCertificates(variable: (name: string) => string | undefined): AgentCertificates | undefined {
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
