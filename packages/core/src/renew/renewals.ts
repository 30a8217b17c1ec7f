import { errorMessage, isAcrLoginError } from '../errors.ts';
import { credentialsJson, NOT_FOUND_MESSAGE, normaliseServer } from '../helper-protocol.ts';
import type { Clock } from '../types.ts';

/** A new refresh token for one login server. Several calls in one renewal share one Entra token. */
export type Renew = ((
  loginServer: string,
) => Promise<{ readonly password: string; readonly expiresOn: Date }>) & {
  /** Ends what the round opened (its connections), once the round is over. */
  readonly close?: () => Promise<void>;
};

/**
 * Builds the renewal function from the plan, once per renewal round, so that the identity code loads only
 * when a token is due and each round asks Entra afresh.
 */
export type RenewFactory<P> = (plan: P) => Renew | Promise<Renew>;

/** Renew when this little is left (ACR's tokens live 3 h 15 min), or a quarter of a shorter lifetime. */
export const RENEW_MARGIN_MS = 30 * 60_000;
/** After a failed renewal, while the token is valid: serve it and try again no sooner than this. */
export const RETRY_WHILE_VALID_MS = 60_000;
/** After a failed renewal of an expired token: report that failure to `get`s for this long. */
export const RETRY_AFTER_EXPIRY_MS = 10_000;
/** One renewal is a few HTTPS requests with bounded retries; a `get` waiting for one gives up after this. */
export const RENEW_WAIT_TIMEOUT_MS = 120_000;

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

/** Clock time (ms) from which `token` is due for renewal. */
export function renewAt(token: Pick<ServerToken, 'expiresOn' | 'obtainedAt'>): number {
  const lifetime = Math.max(token.expiresOn - token.obtainedAt, 0);
  return token.expiresOn - Math.min(RENEW_MARGIN_MS, lifetime / 4);
}

/** What a credential helper process prints and exits with. */
export interface HelperResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const PREFIX = 'acr-login credential helper';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function serve(
  server: string,
  token: Pick<ServerToken, 'username' | 'password'>,
  stderr = '',
): HelperResult {
  return { code: 0, stdout: credentialsJson(server, token.username, token.password), stderr };
}

export function failure(message: string): HelperResult {
  // stdout: the protocol's error channel, quoted by the client; stderr: the job's log, whatever the client does.
  return { code: 1, stdout: `${message}\n`, stderr: `${PREFIX}: ${message}\n` };
}

/** Not ours: the client goes on without credentials, as with any helper that has none; stderr says why. */
export function notFound(why: string): HelperResult {
  return { code: 1, stdout: `${NOT_FOUND_MESSAGE}\n`, stderr: `${PREFIX}: ${why}\n` };
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

export interface RenewalsOptions<P> {
  /** What the renewal function needs: cloud, identities with their secrets. Kept in memory only. */
  readonly plan: P;
  /** The tokens of the login, by login server: the only servers ever answered for. */
  readonly servers: Readonly<Record<string, ServerToken>>;
  readonly clock: Clock;
  readonly renewer: RenewFactory<P>;
  /** Told of every renewed token (the agent rewrites the server's cache file). */
  readonly renewed?: (server: string, token: ServerToken) => Promise<void>;
}

/**
 * The tokens of one login and their renewal, in one process. Concurrent `get`s of a due token share one
 * renewal round, which renews every due server at once: they were logged in together and share one Entra
 * token.
 */
export class Renewals<P> {
  readonly #servers: Map<string, ServerToken>;
  readonly #options: RenewalsOptions<P>;
  #round: Promise<void> | undefined;

  constructor(options: RenewalsOptions<P>) {
    this.#options = options;
    this.#servers = new Map(Object.entries(options.servers));
  }

  /** Server -> username, for the protocol's `list`. */
  list(): Record<string, string> {
    return Object.fromEntries([...this.#servers].map(([server, token]) => [server, token.username]));
  }

  token(server: string): ServerToken | undefined {
    return this.#servers.get(server);
  }

  async get(requested: string): Promise<HelperResult> {
    const { clock } = this.#options;
    const server = normaliseServer(requested);
    if (!this.#servers.has(server)) return notFound(`acr-login did not log in to "${server}"`);
    const started = clock.now();
    let waited = false;
    for (;;) {
      const latest = this.#servers.get(server) as ServerToken;
      const now = clock.now();
      if (now < renewAt(latest)) return serve(requested, latest);
      const last = latest.failure;
      if (last !== undefined) {
        const pause = now < latest.expiresOn ? RETRY_WHILE_VALID_MS : RETRY_AFTER_EXPIRY_MS;
        // A renewal that failed while this `get` waited speaks for it too: no second attempt in a row.
        if (last.at >= started || now - last.at < pause) return answer(requested, server, latest, now);
      }
      if (this.#round !== undefined && !waited) {
        // Another `get` is renewing: its round most likely covers this server too.
        waited = true;
        await this.#round;
        continue;
      }
      if (this.#round !== undefined) await this.#round;
      else await this.#renewRound(server);
      return answer(requested, server, this.#servers.get(server) as ServerToken, clock.now());
    }
  }

  #renewRound(server: string): Promise<void> {
    const round = this.#renewDue(server).finally(() => {
      if (this.#round === round) this.#round = undefined;
    });
    this.#round = round;
    return round;
  }

  async #renewDue(server: string): Promise<void> {
    const { clock, renewer, plan, renewed } = this.#options;
    const now = clock.now();
    const due = [...this.#servers]
      .filter(([name, token]) => name === server || now >= renewAt(token))
      .map(([name]) => name);
    let renew: Renew;
    try {
      renew = await renewer(plan);
    } catch (error) {
      for (const name of due) this.#fail(name, error);
      return;
    }
    try {
      for (const name of due) {
        const old = this.#servers.get(name) as ServerToken;
        try {
          const result = await renew(name);
          const token: ServerToken = {
            username: old.username,
            password: result.password,
            expiresOn: result.expiresOn.getTime(),
            obtainedAt: clock.now(),
          };
          this.#servers.set(name, token);
          // The cache only spares the agent a request: a `get` it cannot serve comes here and is answered.
          await renewed?.(name, token).catch(() => {});
        } catch (error) {
          this.#fail(name, error);
        }
      }
    } finally {
      // The next round is hours away: its connections, tunnels through a proxy included, need not wait.
      await renew.close?.().catch(() => {});
    }
  }

  #fail(name: string, error: unknown): void {
    const old = this.#servers.get(name) as ServerToken;
    this.#servers.set(name, { ...old, failure: failureOf(error, this.#options.clock.now()) });
  }
}
