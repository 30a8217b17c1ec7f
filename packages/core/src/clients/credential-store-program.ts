import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { win32 } from 'node:path';
import { AcrLoginError, errorMessage } from '../errors.ts';
import { NOT_FOUND_MESSAGE } from '../helper-protocol.ts';
import type { Logger } from '../types.ts';
import { LONGEST_HOLD_MS } from './lock.ts';
import { type Outcome, runWithStdin } from './run-program.ts';

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

/**
 * The time a program may run: its own limit, cut to what is left before `deadline`. `holdLimited` says the
 * deadline cut it, for the message.
 */
export function runLimit(
  timeoutMs: number,
  deadline: number | undefined,
): { ms: number; holdLimited: boolean } {
  const left = deadline === undefined ? Number.POSITIVE_INFINITY : Math.max(1, deadline - Date.now());
  return left < timeoutMs ? { ms: left, holdLimited: true } : { ms: timeoutMs, holdLimited: false };
}

/** Says why a run was cut short when the lock's hold, not the program's own limit, ended it. */
export function holdNote(limit: { ms: number; holdLimited: boolean }): string {
  return limit.holdLimited
    ? ` (what was left of the ${LONGEST_HOLD_MS / 1000} s a login may hold the Docker config's lock)`
    : '';
}

/** How to start a helper: the program, its arguments, and whether they go to Windows as they are. */
export interface HelperCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly verbatim: boolean;
}

/** A variable of `env` by name, ignoring case as Windows does (`Path`, `PathExt`, `ComSpec`). */
function windowsVariable(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const key = Object.keys(env).find((candidate) => candidate.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (stats) => stats.isFile(),
    () => false,
  );
}

/**
 * How docker would start `program action`. Elsewhere than Windows, the program by name: the system searches
 * PATH. On Windows, docker (Go's exec.LookPath) tries each PATH directory with each PATHEXT extension, so a
 * helper may be a `.cmd` or `.bat` script; Node finds only `.exe` and `.com`, and runs a script only through
 * cmd.exe. Not found: the program by name, whose start then fails as not installed.
 */
export async function helperCommand(
  program: string,
  action: string,
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  exists: (path: string) => Promise<boolean> = isFile,
): Promise<HelperCommand> {
  if (platform !== 'win32') return { file: program, args: [action], verbatim: false };
  const extensions = (windowsVariable(env, 'PATHEXT') ?? '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .map((extension) => extension.trim().toLowerCase())
    .filter((extension) => extension.startsWith('.'));
  const directories = (windowsVariable(env, 'PATH') ?? '')
    .split(';')
    .map((directory) => directory.trim().replace(/^"(.*)"$/, '$1'))
    .filter((directory) => directory !== '');
  for (const directory of directories) {
    for (const extension of extensions) {
      const path = win32.join(directory, `${program}${extension}`);
      if (!(await exists(path))) continue;
      if (extension !== '.bat' && extension !== '.cmd')
        return { file: path, args: [action], verbatim: false };
      // As Node runs a command with `shell: true`: the whole line quoted once for cmd.exe's /s rule.
      const shell = windowsVariable(env, 'COMSPEC') ?? 'cmd.exe';
      return { file: shell, args: ['/d', '/s', '/c', `""${path}" ${action}"`], verbatim: true };
    }
  }
  return { file: program, args: [action], verbatim: false };
}

/** A helper waiting for a keychain, GPG or D-Bus prompt would hang the step while we hold the file lock. */
const HELPER_TIMEOUT_MS = 30_000;

/** The fixes that always apply when a helper owns a registry; the caller puts the most likely one first. */
const ROUTING_FIX =
  'or remove this registry from credHelpers (or remove credsStore) in the Docker config, or set DOCKER_CONFIG ' +
  'to a directory without them';

function isCredential(value: unknown): value is HelperCredential {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.ServerURL === 'string' &&
    typeof record.Username === 'string' &&
    typeof record.Secret === 'string'
  );
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

export function createCredentialHelper(name: string, options: CredentialHelperOptions): CredentialHelper {
  const program = `docker-credential-${name}`;
  const timeoutMs = options.timeoutMs ?? HELPER_TIMEOUT_MS;
  const platform = options.platform ?? process.platform;
  const details = (server: string) => ({ server, helper: name });

  /** Runs one action; throws a readable error unless it exits 0 (or is a `get` that found nothing). */
  async function invoke(
    action: 'get' | 'store' | 'erase' | 'list',
    stdin: string,
    server: string,
    secret?: string,
  ): Promise<{ found: boolean; stdout: string }> {
    let outcome: Outcome;
    const limit = runLimit(timeoutMs, options.deadline);
    try {
      const command = await helperCommand(program, action, options.env, platform);
      outcome = await runWithStdin(
        command.file,
        command.args,
        stdin,
        options.env,
        limit.ms,
        command.verbatim,
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new AcrLoginError(
          'DOCKER_LOGIN_FAILED',
          `The Docker config routes "${server}" to the credential helper "${program}" (credsStore or ` +
            `credHelpers), but "${program}" is not installed or not on PATH, so docker could neither use nor ` +
            `keep a login for this registry. Install ${program} and put it on the PATH of the runner or agent ` +
            `(a service often has a shorter PATH than a login shell), ${ROUTING_FIX}.`,
          { cause: error, details: details(server) },
        );
      }
      throw new AcrLoginError(
        'DOCKER_LOGIN_FAILED',
        `Running \`${program} ${action}\` for "${server}" failed: ${errorMessage(error)}.`,
        { cause: error, details: details(server) },
      );
    }
    if (outcome.code === null) {
      throw new AcrLoginError(
        'DOCKER_LOGIN_FAILED',
        `\`${program} ${action}\` for "${server}" did not finish within ${limit.ms / 1000} s${holdNote(limit)}: the helper is ` +
          'probably waiting for a keychain, GPG or D-Bus prompt, which a CI job cannot answer. Unlock the ' +
          `helper's store for this user, ${ROUTING_FIX}.`,
        { details: details(server) },
      );
    }
    if (outcome.code === 0) return { found: true, stdout: outcome.stdout };
    // As docker reads it: the answer on stdout alone, so a warning on stderr does not hide it.
    if (action === 'get' && outcome.stdout.trim() === NOT_FOUND_MESSAGE) return { found: false, stdout: '' };
    const output = `${outcome.stdout}\n${outcome.stderr}`.trim();
    // Helpers put the reason on stdout; the last line is the error itself. Never echo what we sent.
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    let reason = lines.at(-1)?.trim() ?? 'no output';
    if (secret !== undefined && secret.length > 0) reason = reason.split(secret).join('***');
    throw new HelperFailure(program, action, outcome.code, reason, details(server));
  }

  async function list(server: string): Promise<Record<string, string>> {
    const { stdout } = await invoke('list', '', server);
    let parsed: unknown;
    try {
      parsed = JSON.parse(stdout);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new HelperFailure(program, 'list', 0, 'its answer is not a JSON object', details(server));
    }
    return parsed as Record<string, string>;
  }

  return {
    program,
    list,
    async get(server) {
      let answer: { found: boolean; stdout: string };
      try {
        answer = await invoke('get', server, server);
      } catch (error) {
        // Some helpers word "none" their own way (docker-credential-gcloud for a host it does not serve):
        // when `list` works and does not name the server, there is nothing to lose. Otherwise the failure
        // stands: a credential that exists but cannot be read could not be put back.
        if (!(error instanceof HelperFailure)) throw error;
        const listed = await list(server).catch(() => undefined);
        if (listed === undefined || lists(listed, server)) throw error;
        return undefined;
      }
      const { found, stdout } = answer;
      if (!found) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(stdout);
      } catch {
        parsed = undefined;
      }
      if (!isCredential(parsed)) {
        throw new HelperFailure(program, 'get', 0, 'its answer is not a credential in JSON', details(server));
      }
      if (parsed.Secret !== '') options.logger.mask(parsed.Secret);
      if (parsed.Username !== '' || parsed.Secret !== '') return parsed;
      // Some helpers (docker-credential-pass 0.6.4, as Debian ships it) answer an empty credential instead
      // of "not found": only `list` tells an empty slot from a credential that is really empty.
      if (!lists(await list(server), server)) return undefined;
      return parsed;
    },
    async store(credential) {
      await invoke('store', JSON.stringify(credential), credential.ServerURL, credential.Secret);
    },
    async erase(server) {
      await invoke('erase', server, server);
    },
  };
}

/** A helper that ran and refused: the caller words the message for what it was doing. */
export class HelperFailure extends AcrLoginError {
  constructor(
    readonly program: string,
    readonly action: string,
    readonly exitCode: number,
    readonly reason: string,
    details: Record<string, string>,
  ) {
    super(
      'DOCKER_LOGIN_FAILED',
      `\`${program} ${action}\` ${exitCode === 0 ? 'failed' : `exited with ${exitCode}`}: ${reason}`,
      { details },
    );
  }
}

/**
 * Before logging in over a server a helper owns: a credential we cannot read is one we could not put back,
 * so the login stops here rather than destroy it (and a helper that cannot read usually cannot store).
 */
export function unreadableCredential(server: string, error: unknown): AcrLoginError {
  if (!(error instanceof HelperFailure)) return error as AcrLoginError;
  return new AcrLoginError(
    'DOCKER_LOGIN_FAILED',
    `Before logging in, acr-login could not read the credential "${error.program}" holds for "${server}" ` +
      `(\`${error.program} ${error.action}\` ${error.exitCode === 0 ? 'failed' : `exited with ${error.exitCode}`}: ` +
      `${error.reason}), so it could not restore it after the job; nothing was changed. Make the helper work ` +
      `for this user (try \`echo ${server} | ${error.program} get\`), ${ROUTING_FIX}.`,
    { cause: error, details: error.details },
  );
}
