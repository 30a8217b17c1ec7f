import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE } from './actions-runner.ts';
import { run } from './clients.ts';

/**
 * The task bundle run as the agent runs it, for tests beyond test/e2e/ado-task.test.ts: a node process
 * with INPUT_*, ENDPOINT_* and SYSTEM_* variables; what the task tells the agent is read back from its
 * `##vso[...]` commands.
 */

export const TASK = fileURLToPath(new URL('../../dist/ado/', import.meta.url));

export interface Command {
  readonly name: string;
  readonly properties: Record<string, string>;
  readonly value: string;
}

export interface TaskRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly commands: readonly Command[];
}

const unescapeCommand = (text: string) =>
  text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%5D/g, ']')
    .replace(/%3B/g, ';')
    .replace(/%AZP25/g, '%');

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
    });
  }
  return commands;
}

export async function runTask(env: Record<string, string>): Promise<TaskRun> {
  const result = await run(NODE, [join(TASK, 'index.js')], { env });
  return { ...result, commands: parseCommands(result.stdout) };
}

/** The post-job step: the task variables the main step set come back as VSTS_TASKVARIABLE_*. */
export function runPostTask(env: Record<string, string>, main: TaskRun): Promise<TaskRun> {
  const taskVariables = Object.fromEntries(
    main.commands
      .filter((c) => c.name === 'task.settaskvariable')
      .map((c) => [`VSTS_TASKVARIABLE_${(c.properties.variable ?? '').toUpperCase()}`, c.value]),
  );
  return runTask({ ...env, ...taskVariables });
}

/** The task's output variables by name. */
export function taskOutputs(run: TaskRun): Record<string, string> {
  return Object.fromEntries(
    run.commands
      .filter((c) => c.name === 'task.setvariable' && c.properties.isOutput === 'true')
      .map((c) => [c.properties.variable ?? '', c.value]),
  );
}

/** `INPUT_*` for the task's inputs, with task.json's defaults as the agent applies them. */
export function taskInputs(values: Record<string, string>): Record<string, string> {
  const all = {
    authType: 'serviceConnection',
    tokenAudience: 'acr',
    clients: 'docker',
    logout: 'true',
    renew: 'false',
    ...values,
  };
  return Object.fromEntries(
    Object.entries(all).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
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
