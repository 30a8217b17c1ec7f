import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { JOB_DIRECTORY, jobClientFiles } from '../../packages/core/src/clients/isolate.ts';
import type { ClientFiles } from '../../packages/core/src/clients/paths.ts';
import { BUNDLES } from './bundles.ts';
import { type RunResult, run } from './clients.ts';

/** Runs the committed action bundles the way the GitHub runner does: files for outputs, state and summary. */

const ROOT = resolve(import.meta.dirname, '../..');
/** One bundle runs the main and the post step; the post step knows itself by the state the main step saved. */
export const ACTION_BUNDLE = BUNDLES.action.main;
export const ACTION_MAIN = BUNDLES.action.main;
export const ACTION_POST = BUNDLES.action.post;

/** The Node that runs the bundles: the one running the tests, unless ACR_LOGIN_TEST_NODE names another. */
export const NODE = process.env.ACR_LOGIN_TEST_NODE ?? process.execPath;

export interface Job {
  readonly dir: string;
  readonly home: string;
  /** The user's Docker config under HOME. */
  readonly dockerConfig: string;
  /** RUNNER_TEMP, which the runner empties after the job. */
  readonly temp: string;
  /** The job's own client files under RUNNER_TEMP, where the step logs in with `isolate-config` on. */
  readonly files: ClientFiles;
  /** Runner files and variables shared by the main and post steps. */
  readonly env: Record<string, string>;
}

export async function newJob(parent: string): Promise<Job> {
  const dir = await mkdtemp(join(parent, 'job-'));
  const home = join(dir, 'home');
  const temp = join(dir, 'runner-temp');
  await mkdir(home, { recursive: true });
  await mkdir(temp, { recursive: true });
  const files = {
    GITHUB_OUTPUT: 'output',
    GITHUB_STATE: 'state',
    GITHUB_STEP_SUMMARY: 'summary.md',
    GITHUB_ENV: 'env',
  };
  const env: Record<string, string> = { HOME: home, RUNNER_TEMP: temp, GITHUB_ACTIONS: 'true' };
  for (const [name, file] of Object.entries(files)) {
    env[name] = join(dir, file);
    await writeFile(env[name], '');
  }
  return {
    dir,
    home,
    dockerConfig: join(home, '.docker', 'config.json'),
    temp,
    files: jobClientFiles(join(temp, JOB_DIRECTORY)),
    env,
  };
}

interface ActionManifest {
  readonly inputs: Record<string, { readonly default?: string }>;
}

/** The defaults action.yml declares: the runner sets them for every input a workflow leaves out. */
const DEFAULTS: Record<string, string> = Object.fromEntries(
  Object.entries((parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionManifest).inputs).flatMap(
    ([name, input]) => (input.default === undefined ? [] : [[name, String(input.default)]]),
  ),
);

/** `with:` inputs become INPUT_<NAME> variables, as the runner sets them (hyphens kept), defaults included. */
export function inputEnv(inputs: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...DEFAULTS, ...inputs }))
    env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}

/** Parses the runner's `name<<delimiter` file format (GITHUB_OUTPUT, GITHUB_STATE). */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (match === null) continue;
    const [, name, delimiter] = match;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i] ?? '');
    values[name ?? ''] = body.join('\n');
  }
  return values;
}

export interface StepResult extends RunResult {
  readonly outputs: Record<string, string>;
  readonly state: Record<string, string>;
  readonly summary: string;
}

/**
 * What the job's steps so far exported through GITHUB_ENV (`name=value` or `name<<delimiter`): the runner
 * sets it for every later step of the job, post steps included.
 */
export async function exportedEnv(job: Job): Promise<Record<string, string>> {
  const lines = (await readFile(job.env.GITHUB_ENV ?? '', 'utf8')).split('\n');
  const values: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^<=]+)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const [, name = '', delimiter] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i] ?? '');
      values[name] = body.join('\n');
      continue;
    }
    const single = /^([^=]+)=(.*)$/.exec(line);
    if (single !== null) values[single[1] ?? ''] = single[2] ?? '';
  }
  return values;
}

/** A step of the job: the runner's files, then what earlier steps exported, then the step's own `env:`. */
export async function runStep(bundle: string, job: Job, env: Record<string, string>): Promise<StepResult> {
  const result = await run(NODE, [bundle], { env: { ...job.env, ...(await exportedEnv(job)), ...env } });
  return {
    ...result,
    outputs: parseCommandFile(await readFile(job.env.GITHUB_OUTPUT ?? '', 'utf8')),
    state: parseCommandFile(await readFile(job.env.GITHUB_STATE ?? '', 'utf8')),
    summary: await readFile(job.env.GITHUB_STEP_SUMMARY ?? '', 'utf8'),
  };
}

/** The post step sees the main step's saved state as STATE_<name>. */
export function stateEnv(state: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(state)) env[`STATE_${name}`] = value;
  return env;
}

/**
 * Every secret must be registered (`::add-mask::`) once, before it appears anywhere else, and it may appear
 * nowhere else at all. Returns the violations, empty when the output is clean.
 */
export function maskViolations(output: string, secrets: readonly string[]): string[] {
  const violations: string[] = [];
  for (const secret of secrets) {
    if (secret === '') continue;
    const lines = output.split('\n');
    const maskLine = lines.indexOf(`::add-mask::${secret}`);
    if (maskLine === -1) violations.push(`never masked: ${secret.slice(0, 6)}...`);
    const masks = lines.filter((line) => line === `::add-mask::${secret}`).length;
    if (masks > 1) violations.push(`masked ${masks} times: ${secret.slice(0, 6)}...`);
    lines.forEach((line, index) => {
      if (line !== `::add-mask::${secret}` && line.includes(secret)) {
        violations.push(
          `line ${index + 1} shows a secret${index < maskLine ? ' before it was masked' : ''}: ${secret.slice(0, 6)}...`,
        );
      }
    });
  }
  return violations;
}
