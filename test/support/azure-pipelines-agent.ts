import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { unescapeCommand } from '../../scripts/lib/show.ts';
import { ADO_ORGANIZATION_ID, type Emulator } from '../emulator/index.ts';
import { NODE } from './actions-runner.ts';
import { BUNDLES } from './bundles.ts';
import { type RunResult, run } from './clients.ts';

/**
 * Runs the committed task bundles the way the Azure Pipelines agent does: a node process with INPUT_*,
 * ENDPOINT_* and SYSTEM_* variables and the agent's proxy settings; what the task tells the agent is read
 * back from its `##vso[...]` commands.
 */

const ROOT = resolve(import.meta.dirname, '../..');

export interface Command {
  readonly name: string;
  readonly properties: Record<string, string>;
  readonly value: string;
  /** Offset of the command in stdout. */
  readonly at: number;
}

export interface TaskRun extends RunResult {
  readonly commands: readonly Command[];
}

/** `##vso[area.event k=v;k=v;]data`, escaped as task-lib escapes it. */
export function parseCommands(stdout: string): Command[] {
  const commands: Command[] = [];
  for (const match of stdout.matchAll(/##vso\[([\w.]+)([^\]]*)\]([^\n]*)/g)) {
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').trim().split(';')) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq)] = unescapeCommand(pair.slice(eq + 1));
    }
    commands.push({
      name: match[1] ?? '',
      properties,
      value: unescapeCommand((match[3] ?? '').replace(/\r$/, '')),
      at: match.index,
    });
  }
  return commands;
}

export async function runTask(entry: 'main' | 'post', env: Record<string, string>): Promise<TaskRun> {
  const result = await run(NODE, [BUNDLES.task[entry]], { env });
  return { ...result, commands: parseCommands(result.stdout) };
}

/** The post-job step gets the task variables the main step set, as VSTS_TASKVARIABLE_*. */
export function taskVariables(main: TaskRun): Record<string, string> {
  return Object.fromEntries(
    main.commands
      .filter((c) => c.name === 'task.settaskvariable')
      .map((c) => [`VSTS_TASKVARIABLE_${(c.properties.variable ?? '').toUpperCase()}`, c.value]),
  );
}

/**
 * The job variables a task set (`task.setvariable` without isOutput): the agent passes each to the job's later
 * tasks as an environment variable, its name upper-cased with dots as underscores.
 */
export function jobVariables(...runs: readonly TaskRun[]): Record<string, string> {
  return Object.fromEntries(
    runs.flatMap((run) =>
      run.commands
        .filter((c) => c.name === 'task.setvariable' && c.properties.isOutput !== 'true')
        .map((c) => [(c.properties.variable ?? '').replace(/\./g, '_').toUpperCase(), c.value]),
    ),
  );
}

/** Output variables the task set (`isOutput=true`), with whether each is secret. */
export function taskOutputs(main: TaskRun): Record<string, { value: string; secret: boolean }> {
  return Object.fromEntries(
    main.commands
      .filter((c) => c.name === 'task.setvariable' && c.properties.isOutput === 'true')
      .map((c) => [c.properties.variable, { value: c.value, secret: c.properties.issecret === 'true' }]),
  );
}

const TASK = JSON.parse(readFileSync(join(ROOT, 'task.json'), 'utf8')) as {
  inputs: { name: string; defaultValue: string }[];
};

/** `INPUT_*` for the task's inputs, with task.json's non-empty defaults as the agent applies them. */
export function taskInputEnv(values: Readonly<Record<string, string>>): Record<string, string> {
  const defaults = Object.fromEntries(
    TASK.inputs.filter((input) => input.defaultValue !== '').map((input) => [input.name, input.defaultValue]),
  );
  return Object.fromEntries(
    Object.entries({ ...defaults, ...values }).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
  );
}

/** The variables the agent sets for an Azure Resource Manager service connection. */
export function endpoint(
  id: string,
  scheme: string,
  parameters: Record<string, string>,
  data: Record<string, string> = { environment: 'AzureCloud' },
): Record<string, string> {
  const env: Record<string, string> = {
    [`ENDPOINT_URL_${id}`]: 'https://management.azure.com/',
    [`ENDPOINT_AUTH_${id}`]: JSON.stringify({ parameters, scheme }),
    [`ENDPOINT_AUTH_SCHEME_${id}`]: scheme,
  };
  for (const [key, value] of Object.entries(parameters))
    env[`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`] = value;
  for (const [key, value] of Object.entries(data)) env[`ENDPOINT_DATA_${id}_${key.toUpperCase()}`] = value;
  return env;
}

/** What every step of an agent job sees: agent variables, the proxy, the CA, IMDS, the job's access token. */
export async function agentEnv(emulator: Emulator, home: string): Promise<Record<string, string>> {
  const temp = join(home, '_temp');
  await mkdir(temp, { recursive: true });
  const { NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, AZURE_POD_IDENTITY_AUTHORITY_HOST, SYSTEM_OIDCREQUESTURI } =
    emulator.env();
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_RUNTIME_DIR: join(home, 'run'),
    XDG_CONFIG_HOME: join(home, '.config'),
    NODE_EXTRA_CA_CERTS: NODE_EXTRA_CA_CERTS ?? '',
    SSL_CERT_FILE: SSL_CERT_FILE ?? '',
    AZURE_POD_IDENTITY_AUTHORITY_HOST: AZURE_POD_IDENTITY_AUTHORITY_HOST ?? '',
    SYSTEM_OIDCREQUESTURI: SYSTEM_OIDCREQUESTURI ?? '',
    // The agent keeps its proxy in its settings and passes it as variables, not HTTPS_PROXY.
    AGENT_PROXYURL: emulator.proxyUrl,
    AGENT_PROXYBYPASSLIST: JSON.stringify(['^https?://dev\\.azure\\.com']),
    AGENT_TEMPDIRECTORY: temp,
    AGENT_VERSION: '3.250.0',
    SYSTEM_COLLECTIONID: ADO_ORGANIZATION_ID,
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMPROJECT: 'web',
    SYSTEM_CULTURE: 'en-US',
    ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: emulator.ado.accessToken,
    ENDPOINT_AUTH_SYSTEMVSSCONNECTION: JSON.stringify({
      parameters: { AccessToken: emulator.ado.accessToken },
      scheme: 'OAuth',
    }),
  };
}
