import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';
import { delimiter } from 'node:path';
import { inertLine } from '@acr-login/core';

/**
 * The runner's workflow commands and environment files, as @actions/core writes them. The step reads its
 * inputs and writes its outputs here rather than through @actions/core, whose index loads its OIDC client
 * (@actions/http-client, a second copy of undici's index, tunnel) and @actions/exec on every start: about a
 * third of the step's start-up (docs/design.md, Performance). OIDC tokens come from core (identity/github-oidc.ts).
 */

type Env = Readonly<Record<string, string | undefined>>;

/** `%`, CR and LF as the runner decodes them in a command's message. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * Plain log text the runner shows and never acts on. It reads a line up to CR, LF or CRLF, and takes one that
 * starts with `::` (after white space) or holds `##[` anywhere for a command (actions/runner, ActionCommand):
 * each such marker gets an underscore, as the Azure Pipelines tasks write `##_vso[`.
 */
export function plainText(message: string): string {
  return message
    .split(/\r\n|\r|\n/)
    .map(inertLine)
    .join(EOL);
}

/** `::name::message` on stdout: the runner acts on the line and hides it from the log. */
export function command(name: string, message: string): string {
  return `::${name}::${escapeData(message)}`;
}

function issue(name: string, message: string): void {
  process.stdout.write(command(name, message) + EOL);
}

/** A `name<<delimiter` entry for GITHUB_OUTPUT or GITHUB_STATE, with a delimiter the value cannot hold. */
export function keyValueEntry(
  name: string,
  value: string,
  delimiter = `ghadelimiter_${randomUUID()}`,
): string {
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error(`Unexpected input: "${name}" or its value contains the delimiter "${delimiter}"`);
  }
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}`;
}

function appendFileCommand(file: string, entry: string): void {
  // The runner creates the file; a missing one means a runner this step does not know how to talk to.
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  appendFileSync(file, `${entry}${EOL}`, { encoding: 'utf8' });
}

/** An input as the runner passes it: `INPUT_<NAME>`, spaces as underscores, upper case, trimmed. */
export function getInput(name: string, env: Env = process.env): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

export const setSecret = (secret: string): void => issue('add-mask', secret);
export const debug = (message: string): void => issue('debug', message);
export const warning = (message: string): void => issue('warning', message);
export const notice = (message: string): void => issue('notice', message);
export const info = (message: string): void => void process.stdout.write(plainText(message) + EOL);

/** Whether the run has step debug logging on (`ACTIONS_STEP_DEBUG`), as the runner tells the step. */
export const isDebug = (env: Env = process.env): boolean => env.RUNNER_DEBUG === '1';

export function setFailed(message: string): void {
  process.exitCode = 1;
  issue('error', message);
}

function keyValue(
  fileVariable: 'GITHUB_OUTPUT' | 'GITHUB_STATE',
  legacy: string,
  name: string,
  value: string,
) {
  const file = process.env[fileVariable];
  if (file) appendFileCommand(file, keyValueEntry(name, value));
  else
    process.stdout.write(
      `${EOL}::${legacy} name=${escapeData(name).replace(/:/g, '%3A').replace(/,/g, '%2C')}::${escapeData(value)}${EOL}`,
    );
}

export const setOutput = (name: string, value: string): void =>
  keyValue('GITHUB_OUTPUT', 'set-output', name, value);
export const saveState = (name: string, value: string): void =>
  keyValue('GITHUB_STATE', 'save-state', name, value);
/** What the main step saved, as the runner hands it to the post step. */
export const getState = (name: string, env: Env = process.env): string => env[`STATE_${name}`] ?? '';

/** Puts a directory first on PATH for this step and the job's later steps (GITHUB_PATH). */
export function addPath(directory: string): void {
  const file = process.env.GITHUB_PATH;
  if (file) appendFileCommand(file, directory);
  else issue('add-path', directory);
  process.env.PATH = `${directory}${delimiter}${process.env.PATH ?? ''}`;
}

/**
 * Sets an environment variable for the job's later steps (GITHUB_ENV, in the runner's `name<<delimiter`
 * form, so no value can smuggle in a second variable) and for this step, as `core.exportVariable` does.
 */
export function exportVariable(name: string, value: string, env: Env = process.env): void {
  const file = env.GITHUB_ENV;
  if (!file) throw new Error('GITHUB_ENV is not set: this runner cannot pass variables to later steps.');
  appendFileCommand(file, keyValueEntry(name, value));
  process.env[name] = value;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A job summary heading, as @actions/core's summary writes it. */
export function summaryHeading(text: string, level: number): string {
  return `<h${level}>${escapeHtml(text)}</h${level}>${EOL}`;
}

/** A job summary table, header row first, as @actions/core's summary writes it; values are escaped. */
export function summaryTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const row = (cells: readonly string[], tag: 'th' | 'td') =>
    `<tr>${cells.map((cell) => `<${tag}>${escapeHtml(cell)}</${tag}>`).join('')}</tr>`;
  return `<table>${row(header, 'th')}${rows.map((cells) => row(cells, 'td')).join('')}</table>${EOL}`;
}

/** Appends to the job summary file the runner names in GITHUB_STEP_SUMMARY. */
export function appendSummary(text: string, env: Env = process.env): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) throw new Error('GITHUB_STEP_SUMMARY is not set: this runner has no job summary.');
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  appendFileSync(file, text, { encoding: 'utf8' });
}
