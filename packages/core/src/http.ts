import { AcrLoginError } from './errors.ts';
import { errorCode, networkError } from './network-error.ts';
import { NETWORK_BUDGET_MS, nodeTransport, type Transport } from './transport.ts';
import type { Clock, Logger, Sleep } from './types.ts';

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as `application/x-www-form-urlencoded`; arrays repeat the key (ACR's `scope`). */
  readonly form?: Readonly<Record<string, string | readonly string[]>>;
  /** For messages and logs: what this request is, e.g. `token exchange at contoso.azurecr.io`. */
  readonly purpose: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

export interface RetryPolicy {
  /** Further attempts after the first. */
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Per attempt: headers and body must arrive within this time. */
  readonly timeoutMs: number;
  /**
   * All attempts and pauses of one client (one step, one renewal) together: no attempt starts with less
   * than `minAttemptMs` of it left, and none runs past it.
   */
  readonly budgetMs: number;
  readonly minAttemptMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 3,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  timeoutMs: 30_000,
  budgetMs: NETWORK_BUDGET_MS,
  minAttemptMs: 5_000,
};

/** A number in [0, 1), as Math.random gives: injected so tests can fix the jitter. */
export type Random = () => number;

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
// Network failures worth another attempt; a name that does not resolve will not resolve a second later.
const RETRY_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** A network failure another attempt may fix; a setting the transport cannot use (an AcrLoginError) is not. */
export function retryableNetworkError(error: unknown): boolean {
  if (error instanceof AcrLoginError) return false;
  const code = errorCode(error);
  return code !== undefined && RETRY_ERRORS.has(code);
}

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

export const systemClock: Clock = { now: () => Date.now() };

/**
 * The transport used when an adapter passes none: honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY as Go's
 * clients do (docs/proxy.md), because self-hosted runners and agents often sit behind a proxy. The caller owns it and closes it, so
 * idle keep-alive sockets do not hold the process open after the login.
 */
export function defaultDispatcher(env: Readonly<Record<string, string | undefined>>): Transport {
  return nodeTransport({ env, budgetMs: NETWORK_BUDGET_MS });
}

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * The pause before attempt `attempt + 1`: the server's Retry-After when it sent one, else exponential
 * with jitter (half to all of it), so parallel jobs that failed together do not retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: Random = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, retryAfterMs);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(exponential * (0.5 + random() / 2));
}

function encodeForm(form: Readonly<Record<string, string | readonly string[]>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const item of typeof value === 'string' ? [value] : value) params.append(key, item);
  }
  return params.toString();
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(headers)) {
    flat[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

export interface HttpClientOptions {
  readonly dispatcher: Transport;
  readonly logger: Logger;
  readonly sleep?: Sleep;
  readonly clock?: Clock;
  readonly retry?: RetryPolicy;
  readonly random?: Random;
}

/** Sends requests over https only, retrying what a retry can fix: 408, 429, 5xx and dropped connections. */
export class HttpClient {
  readonly #dispatcher: Transport;
  readonly #logger: Logger;
  readonly #sleep: Sleep;
  readonly #clock: Clock;
  readonly #retry: RetryPolicy;
  readonly #random: Random;
  readonly #deadline: number;

  constructor(options: HttpClientOptions) {
    this.#dispatcher = options.dispatcher;
    this.#logger = options.logger;
    this.#sleep = options.sleep ?? realSleep;
    this.#clock = options.clock ?? systemClock;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#random = options.random ?? Math.random;
    this.#deadline = this.#clock.now() + this.#retry.budgetMs;
  }

  /** Whether a pause of `delay` still leaves an attempt its minimum before the budget runs out. */
  #canRetry(attempt: number, delay: number): boolean {
    return (
      attempt < this.#retry.retries && this.#deadline - this.#clock.now() - delay >= this.#retry.minAttemptMs
    );
  }

  get dispatcher(): Transport {
    return this.#dispatcher;
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    if (url.protocol !== 'https:') {
      throw new AcrLoginError(
        'INPUT_INVALID',
        `Refusing to send the ${req.purpose} over ${url.protocol.replace(':', '')}: credentials travel over https only.`,
      );
    }
    const headers: Record<string, string> = { 'user-agent': 'acr-login', ...req.headers };
    let body: string | null = null;
    if (req.form !== undefined) {
      body = encodeForm(req.form);
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    for (let attempt = 0; ; attempt++) {
      let response: HttpResponse;
      // No attempt runs past the budget; the transport's own stages are cut to it as well.
      const timeout = Math.max(1, Math.min(this.#retry.timeoutMs, this.#deadline - this.#clock.now()));
      try {
        const res = await this.#dispatcher.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: req.method,
          headers,
          body,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
        response = {
          status: res.statusCode,
          headers: flattenHeaders(res.headers as Record<string, string | string[] | undefined>),
          body: await res.body.text(),
        };
      } catch (error) {
        // A setting the transport cannot use (a socks5:// proxy) is the user's to fix, not the network's.
        if (error instanceof AcrLoginError) throw error;
        const code = errorCode(error);
        const delay = backoffDelay(attempt, this.#retry, undefined, this.#random);
        if (retryableNetworkError(error) && this.#canRetry(attempt, delay)) {
          this.#logger.debug(`${req.purpose}: ${code}, attempt ${attempt + 1}; retrying in ${delay} ms`);
          await this.#sleep(delay);
          continue;
        }
        throw networkError(req.purpose, url, error, code, attempt + 1);
      }
      const retryAfter = parseRetryAfter(response.headers['retry-after'], this.#clock.now());
      const delay = backoffDelay(attempt, this.#retry, retryAfter, this.#random);
      if (RETRY_STATUS.has(response.status) && this.#canRetry(attempt, delay)) {
        this.#logger.debug(
          `${req.purpose}: HTTP ${response.status}, attempt ${attempt + 1}; retrying in ${delay} ms`,
        );
        await this.#sleep(delay);
        continue;
      }
      return response;
    }
  }
}
