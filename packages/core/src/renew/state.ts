import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../clients/config-file.ts';
import { errnoOf } from '../clients/fs.ts';
import { AcrLoginError } from '../errors.ts';

/** The last renewal of a server that failed, kept so that waiting `get`s and the log can name the cause. */
export interface RenewFailure {
  /** Clock time (ms) of the failure. */
  readonly at: number;
  readonly code: string;
  /** The error's message: written for users, never holding a secret. */
  readonly message: string;
}

/** The credential a server is served with now. */
export interface ServerToken {
  readonly username: string;
  /** ACR refresh token. */
  readonly password: string;
  /** Clock time (ms) the token expires. */
  readonly expiresOn: number;
  /** Clock time (ms) the token was obtained: with `expiresOn`, its lifetime, which sets when to renew. */
  readonly obtainedAt: number;
  readonly failure?: RenewFailure;
}

/**
 * The renewal state file: kept in the job's temp directory, mode 0600, removed by the post step. `plan` is
 * what the renewal function needs (cloud, identity, scopes, the secrets the identity needs); the cache logic
 * never looks inside it.
 */
export interface RenewState<P = unknown> {
  readonly version: 1;
  /** The helper name clients find in `credHelpers`: `acr-login-<id>`. */
  readonly helper: string;
  /** By login server. */
  readonly servers: Readonly<Record<string, ServerToken>>;
  readonly plan: P;
}

function invalid(file: string, problem: string, cause?: unknown): AcrLoginError {
  return new AcrLoginError(
    'STATE_INVALID',
    `The renewal state "${file}" ${problem}, so its credentials cannot be served or renewed. It is written by ` +
      'the login step with `renew: true` and removed by its post step: run the login step again in this job.',
    { ...(cause === undefined ? {} : { cause }), details: { file } },
  );
}

function isToken(value: unknown): value is ServerToken {
  if (typeof value !== 'object' || value === null) return false;
  const token = value as Record<string, unknown>;
  return (
    typeof token.username === 'string' &&
    typeof token.password === 'string' &&
    typeof token.expiresOn === 'number' &&
    typeof token.obtainedAt === 'number'
  );
}

/** Parses a state file's text; throws STATE_INVALID naming the file (never quoting it: it holds secrets). */
export function parseRenewState<P>(file: string, text: string): RenewState<P> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid(file, 'is not valid JSON');
  }
  const state = value as Partial<RenewState<P>> | null;
  if (
    state === null ||
    typeof state !== 'object' ||
    state.version !== 1 ||
    typeof state.helper !== 'string' ||
    typeof state.servers !== 'object' ||
    state.servers === null ||
    !Object.values(state.servers).every(isToken)
  ) {
    throw invalid(file, 'does not have the expected fields');
  }
  return state as RenewState<P>;
}

/** `undefined` when the file does not exist (the post step removed it). */
export async function readRenewState<P>(file: string): Promise<RenewState<P> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw invalid(file, `cannot be read (${errnoOf(error)})`, error);
  }
  return parseRenewState<P>(file, text);
}

/**
 * Atomic and 0600 from the first byte: a concurrent `get` reads the old or the new state, never half of one,
 * and nobody else on the machine can read the secrets it holds.
 */
export async function writeRenewState(file: string, state: RenewState<unknown>): Promise<void> {
  try {
    await writeFileAtomic(file, JSON.stringify(state));
  } catch (error) {
    throw new AcrLoginError(
      'CONFIG_WRITE_FAILED',
      `Cannot write the renewal state "${file}": ${errnoOf(error)}. ` +
        "It lives in the job's temp directory (RUNNER_TEMP, Agent.TempDirectory), which must be writable.",
      { cause: error, details: { file } },
    );
  }
}
