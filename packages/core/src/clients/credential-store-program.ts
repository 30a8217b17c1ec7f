import { createHash } from 'node:crypto';
import { NOT_FOUND_MESSAGE } from '../helper-protocol.ts';
import type { Logger } from '../types.ts';
import { hasFields } from '../util.ts';
import { helperCommand } from './credential-store-command.ts';
import { cannotStart, HelperFailure, noAnswer, refusal } from './credential-store-failure.ts';
import { runLimit } from './hold-limit.ts';
import { type Outcome, runWithStdin } from './run-program.ts';

export { helperCommand } from './credential-store-command.ts';
export { HelperFailure, unreadableCredential } from './credential-store-failure.ts';

/**
 * The docker-credential-helpers protocol, spoken to `docker-credential-<name>` directly: `get` and `erase`
 * read a server on stdin, `store` reads this JSON on stdin, `list` prints `{server: username}`. Errors are
 * a message on stdout and a non-zero exit.
 */
export interface HelperCredential {
  readonly ServerURL: string;
  readonly Username: string;
  readonly Secret: string;
}

export interface CredentialHelper {
  /** `docker-credential-<name>`, for messages. */
  readonly program: string;
  /** The credential held for `server`, or undefined when there is none. Its secret is masked at once. */
  get(server: string): Promise<HelperCredential | undefined>;
  store(credential: HelperCredential): Promise<void>;
  erase(server: string): Promise<void>;
  list(server: string): Promise<Record<string, string>>;
}

export interface CredentialHelperOptions {
  /** Environment of the helper: PATH finds it; GNUPGHOME, PASSWORD_STORE_DIR, DBUS_* reach its store. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  /** Default 30 s. */
  readonly timeoutMs?: number;
  /** Default process.platform; decides how the helper is found on PATH. */
  readonly platform?: NodeJS.Platform;
  /** When the caller's hold on a file's lock ends (Date.now() time): no run goes past it. */
  readonly deadline?: number;
}

/** A helper waiting for a keychain, GPG or D-Bus prompt would hang the step while we hold the file lock. */
const HELPER_TIMEOUT_MS = 30_000;

export function isCredential(value: unknown): value is HelperCredential {
  return hasFields(value, { ServerURL: 'string', Username: 'string', Secret: 'string' });
}

/** Recognises at logout what the login left in the helper, without keeping our own secret in the state. */
export function credentialDigest(credential: HelperCredential): string {
  return createHash('sha256')
    .update(JSON.stringify([credential.Username, credential.Secret]))
    .digest('hex');
}

/** Host of a server as helpers list it: some keep the scheme or a trailing slash docker once sent. */
function host(server: string): string {
  return server
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

function lists(listed: Record<string, string>, server: string): boolean {
  return Object.keys(listed).some((key) => host(key) === host(server));
}

/** A helper's answer as JSON, or undefined when it is not JSON. */
function parseAnswer(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}

/** One helper, `docker-credential-<name>`, and how it is run. */
interface Program {
  readonly name: string;
  readonly program: string;
  readonly timeoutMs: number;
  readonly platform: NodeJS.Platform;
  readonly options: CredentialHelperOptions;
}

type Action = 'get' | 'store' | 'erase' | 'list';

function detailsOf(helper: Program, server: string): Record<string, string> {
  return { server, helper: helper.name };
}

/** Runs one action to its end; throws a readable error when it cannot start or does not finish in time. */
async function run(
  helper: Program,
  action: Action,
  stdin: string,
  server: string,
): Promise<Outcome & { readonly code: number }> {
  const { program, options } = helper;
  let outcome: Outcome;
  const limit = runLimit(helper.timeoutMs, options.deadline);
  try {
    const command = await helperCommand(program, action, options.env, helper.platform);
    outcome = await runWithStdin(command.file, command.args, stdin, options.env, limit.ms, command.verbatim);
  } catch (error) {
    throw cannotStart(program, action, server, detailsOf(helper, server), error);
  }
  if (outcome.code === null) throw noAnswer(program, action, server, detailsOf(helper, server), limit);
  return { ...outcome, code: outcome.code };
}

/** Runs one action; throws a readable error unless it exits 0 (or is a `get` that found nothing). */
async function invoke(
  helper: Program,
  action: Action,
  stdin: string,
  server: string,
  secret?: string,
): Promise<{ found: boolean; stdout: string }> {
  const outcome = await run(helper, action, stdin, server);
  if (outcome.code === 0) return { found: true, stdout: outcome.stdout };
  // As docker reads it: the answer on stdout alone, so a warning on stderr does not hide it.
  if (action === 'get' && outcome.stdout.trim() === NOT_FOUND_MESSAGE) return { found: false, stdout: '' };
  throw refusal(helper.program, action, outcome, secret, detailsOf(helper, server));
}

async function list(helper: Program, server: string): Promise<Record<string, string>> {
  const { stdout } = await invoke(helper, 'list', '', server);
  const parsed = parseAnswer(stdout);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HelperFailure(
      helper.program,
      'list',
      0,
      'its answer is not a JSON object',
      detailsOf(helper, server),
    );
  }
  return parsed as Record<string, string>;
}

/**
 * A `get` that failed: some helpers word "none" their own way (docker-credential-gcloud for a host it does not
 * serve): when `list` works and does not name the server, there is nothing to lose. Otherwise the failure
 * stands: a credential that exists but cannot be read could not be put back.
 */
async function noneUnlessListed(helper: Program, server: string, error: unknown): Promise<undefined> {
  if (!(error instanceof HelperFailure)) throw error;
  const listed = await list(helper, server).catch(() => undefined);
  if (listed === undefined || lists(listed, server)) throw error;
  return undefined;
}

async function get(helper: Program, server: string): Promise<HelperCredential | undefined> {
  let answer: { found: boolean; stdout: string };
  try {
    answer = await invoke(helper, 'get', server, server);
  } catch (error) {
    return noneUnlessListed(helper, server, error);
  }
  if (!answer.found) return undefined;
  const parsed = parseAnswer(answer.stdout);
  if (!isCredential(parsed)) {
    const details = detailsOf(helper, server);
    throw new HelperFailure(helper.program, 'get', 0, 'its answer is not a credential in JSON', details);
  }
  if (parsed.Secret !== '') helper.options.logger.mask(parsed.Secret);
  if (parsed.Username !== '' || parsed.Secret !== '') return parsed;
  // Some helpers (docker-credential-pass 0.6.4, as Debian ships it) answer an empty credential instead
  // of "not found": only `list` tells an empty slot from a credential that is really empty.
  if (!lists(await list(helper, server), server)) return undefined;
  return parsed;
}

export function createCredentialHelper(name: string, options: CredentialHelperOptions): CredentialHelper {
  const helper: Program = {
    name,
    program: `docker-credential-${name}`,
    timeoutMs: options.timeoutMs ?? HELPER_TIMEOUT_MS,
    platform: options.platform ?? process.platform,
    options,
  };
  return {
    program: helper.program,
    list: (server) => list(helper, server),
    get: (server) => get(helper, server),
    async store(credential) {
      await invoke(helper, 'store', JSON.stringify(credential), credential.ServerURL, credential.Secret);
    },
    async erase(server) {
      await invoke(helper, 'erase', server, server);
    },
  };
}
