// The stages a request passes over the network, the time each may take, and how they fail.

/** The network stages a request passes, each with its own timeout. */
export type Stage = 'connect' | 'proxy' | 'tls' | 'headers' | 'body';

export type StageTimeouts = Readonly<Record<Stage, number>>;

/**
 * Each stage's limit. A silent peer is found out by the stage it stalls in; a retry then gets a new
 * connection, and the budget below bounds the whole.
 */
export const STAGE_TIMEOUTS: StageTimeouts = {
  connect: 10_000,
  proxy: 10_000,
  tls: 10_000,
  headers: 30_000,
  body: 30_000,
};

/**
 * All the network time one transport may spend, from its creation: a step (or a renewal) gives up by
 * then whatever stalls and however often it retries, so it ends well within 2 minutes.
 */
export const NETWORK_BUDGET_MS = 100_000;

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/** A stage that did not finish in time: names the host, the proxy when there is one, and the stage. */
export class NetworkTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly stage: Stage,
    /** `host:port` of the target. */
    readonly host: string,
    /** The proxy, without credentials. */
    readonly proxy: string | undefined,
    readonly ms: number,
    /** The transport's total budget cut this stage short. */
    readonly budgetMs?: number,
  ) {
    const via = proxy === undefined ? '' : ` through the proxy ${proxy}`;
    const within = `within ${seconds(ms)}`;
    const text: Record<Stage, string> = {
      connect:
        proxy === undefined
          ? `no TCP connection to ${host} ${within}`
          : `no TCP connection to the proxy ${proxy} ${within} (for ${host})`,
      proxy: `the proxy ${proxy} did not answer CONNECT ${host} ${within}`,
      tls: `no TLS handshake with ${host}${via} ${within}`,
      headers: `no response headers from ${host}${via} ${within}`,
      body: `the response body from ${host}${via} stalled for ${seconds(ms)}`,
    };
    super(
      budgetMs === undefined
        ? text[stage]
        : `${text[stage]}: the ${seconds(budgetMs)} allowed for the network ran out`,
    );
  }
}

export function failure(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code }, extra);
}

export const closedError = () => failure('ERR_TRANSPORT_CLOSED', 'the transport was closed');

export interface Budget {
  /** The time a stage may take: its own limit, or what is left of the budget. */
  limit(stageMs: number): { ms: number; budgetMs?: number };
}

export function budgetFrom(budgetMs: number | undefined): Budget {
  if (budgetMs === undefined) return { limit: (ms) => ({ ms }) };
  const deadline = Date.now() + budgetMs;
  return {
    limit(ms) {
      const left = Math.max(0, deadline - Date.now());
      return left < ms ? { ms: left, budgetMs } : { ms };
    },
  };
}
