import { withLock } from '../clients/lock.ts';
import { errorMessage, isAcrLoginError } from '../errors.ts';
import type { Clock } from '../types.ts';
import { credentialsJson, NOT_FOUND_MESSAGE, normaliseServer, parseCommand } from './protocol.ts';
import { type RenewFailure, readRenewState, type ServerToken, writeRenewState } from './state.ts';

/** A new refresh token for one login server. Several calls in one process share one Entra token. */
export type Renew = (loginServer: string) => Promise<{ readonly password: string; readonly expiresOn: Date }>;

/**
 * Builds the renewal function from the state's plan. Called only when a token is due, so that a `get` served
 * from the cache never loads the identity code.
 */
export type RenewFactory<P> = (plan: P) => Renew | Promise<Renew>;

/** Renew when this little is left (ACR's tokens live 3 h 15 min), or a quarter of a shorter lifetime. */
export const RENEW_MARGIN_MS = 30 * 60_000;
/** After a failed renewal, while the token is valid: serve it and try again no sooner than this. */
export const RETRY_WHILE_VALID_MS = 60_000;
/** After a failed renewal of an expired token: report that failure to `get`s for this long. */
export const RETRY_AFTER_EXPIRY_MS = 10_000;
/** One renewal is a few HTTPS requests with bounded retries; waiters give up after this. */
export const RENEW_LOCK_TIMEOUT_MS = 120_000;

/** Clock time (ms) from which `token` is due for renewal. */
export function renewAt(token: Pick<ServerToken, 'expiresOn' | 'obtainedAt'>): number {
  const lifetime = Math.max(token.expiresOn - token.obtainedAt, 0);
  return token.expiresOn - Math.min(RENEW_MARGIN_MS, lifetime / 4);
}

export interface HelperRequest<P> {
  /** The path of the renewal state file (from the shim). */
  readonly stateFile: string;
  /** `get`, `store`, `erase` or `list` (argv after the state file). */
  readonly command: string | undefined;
  /** Everything the client wrote to stdin. */
  readonly input: string;
  readonly clock: Clock;
  readonly renewer: RenewFactory<P>;
  readonly lockTimeoutMs?: number;
}

export interface HelperResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const PREFIX = 'acr-login credential helper';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function serve(server: string, token: ServerToken, stderr = ''): HelperResult {
  return { code: 0, stdout: credentialsJson(server, token.username, token.password), stderr };
}

function failure(message: string): HelperResult {
  // stdout: the protocol's error channel, quoted by the client; stderr: the job's log, whatever the client does.
  return { code: 1, stdout: `${message}\n`, stderr: `${PREFIX}: ${message}\n` };
}

/** The outcome of the last renewal for a `get` of `server`: the token, or the error a client shows. */
function answer(requested: string, server: string, token: ServerToken, now: number): HelperResult {
  if (now < token.expiresOn) {
    const stale = token.failure;
    return serve(
      requested,
      token,
      stale === undefined
        ? ''
        : `${PREFIX}: warning: renewing the credentials for "${server}" failed (${stale.message}); ` +
            `the current ones stay valid until ${iso(token.expiresOn)}.\n`,
    );
  }
  const cause = token.failure?.message ?? 'no renewal was attempted';
  return failure(
    `The credentials acr-login wrote for "${server}" expired at ${iso(token.expiresOn)} and could not be ` +
      `renewed: ${cause}`,
  );
}

function failureOf(error: unknown, at: number): RenewFailure {
  return { at, code: isAcrLoginError(error) ? error.code : 'RENEW_FAILED', message: errorMessage(error) };
}

async function get<P>(request: HelperRequest<P>, requested: string): Promise<HelperResult> {
  const { stateFile, clock } = request;
  const server = normaliseServer(requested);
  const started = clock.now();
  const state = await readRenewState<P>(stateFile);
  const token = state?.servers[server];
  if (state === undefined || token === undefined) {
    // Not ours: the client goes on without credentials, as with any helper that has none.
    const why =
      state === undefined
        ? `the renewal state "${stateFile}" is gone (the login step's post step removed it)`
        : `acr-login did not log in to "${server}"`;
    return { code: 1, stdout: `${NOT_FOUND_MESSAGE}\n`, stderr: `${PREFIX}: ${why}\n` };
  }
  if (started < renewAt(token)) return serve(requested, token);

  // Due: one process renews under the lock; the others wait for it and serve what it wrote.
  return withLock(
    `${stateFile}.lock`,
    { timeoutMs: request.lockTimeoutMs ?? RENEW_LOCK_TIMEOUT_MS, file: stateFile },
    async () => {
      const current = await readRenewState<P>(stateFile);
      const latest = current?.servers[server];
      if (current === undefined || latest === undefined) {
        return { code: 1, stdout: `${NOT_FOUND_MESSAGE}\n`, stderr: '' };
      }
      const now = clock.now();
      if (now < renewAt(latest)) return serve(requested, latest);
      const last = latest.failure;
      if (last !== undefined) {
        const valid = now < latest.expiresOn;
        const pause = valid ? RETRY_WHILE_VALID_MS : RETRY_AFTER_EXPIRY_MS;
        // A renewal that failed while this `get` waited speaks for it too: no second attempt in a row.
        if (last.at >= started || now - last.at < pause) return answer(requested, server, latest, now);
      }
      const renew = await request.renewer(current.plan);
      const servers: Record<string, ServerToken> = { ...current.servers };
      // Every due server at once: they were logged in together and share one Entra token.
      const due = Object.entries(current.servers)
        .filter(([name, token]) => name === server || now >= renewAt(token))
        .map(([name]) => name);
      for (const name of due) {
        const old = servers[name] as ServerToken;
        try {
          const renewed = await renew(name);
          servers[name] = {
            username: old.username,
            password: renewed.password,
            expiresOn: renewed.expiresOn.getTime(),
            obtainedAt: clock.now(),
          };
        } catch (error) {
          servers[name] = { ...old, failure: failureOf(error, clock.now()) };
        }
      }
      await writeRenewState(stateFile, { ...current, servers });
      return answer(requested, server, servers[server] as ServerToken, clock.now());
    },
  );
}

async function list(stateFile: string): Promise<HelperResult> {
  const state = await readRenewState(stateFile);
  const servers = Object.fromEntries(
    Object.entries(state?.servers ?? {}).map(([server, token]) => [server, token.username]),
  );
  return { code: 0, stdout: JSON.stringify(servers), stderr: '' };
}

/**
 * One run of the credential helper. `store` and `erase` are accepted and do nothing: the login step owns the
 * credentials, and its post step removes them whether or not a client logs out.
 */
export async function runCredentialHelper<P>(request: HelperRequest<P>): Promise<HelperResult> {
  const command = parseCommand(request.command);
  try {
    switch (command) {
      case 'get':
        return await get(request, request.input.trim());
      case 'list':
        return await list(request.stateFile);
      case 'store':
      case 'erase':
        return { code: 0, stdout: '', stderr: '' };
      default:
        return failure(
          `unknown command "${request.command ?? ''}": a docker credential helper answers get, store, erase and list`,
        );
    }
  } catch (error) {
    return failure(errorMessage(error));
  }
}
