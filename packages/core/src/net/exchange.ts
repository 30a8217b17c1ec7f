import {
  type ClientRequest,
  type Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TransportRequest, TransportResponse } from '../types.ts';
import type { Connector } from './connection.ts';
import { DEFAULT_PORT } from './proxy-env.ts';
import { closedError, NetworkTimeoutError } from './stages.ts';

// One request and its response over a connection the agent opens, with the headers and body stages timed.

/** How a request to a URL goes: the agent that opens its connections, and the proxy (for errors). */
export interface Via {
  readonly agent: HttpAgent;
  readonly proxy?: string;
}

type StageTimer = (stage: 'headers' | 'body', own: number | undefined) => NodeJS.Timeout;

/**
 * A timer for a stage of the exchange, at the transport's limit or the request's own if shorter: when it
 * fires, the request is destroyed with the stage's timeout error.
 */
function stageTimer(
  connector: Connector,
  outgoing: ClientRequest,
  target: string,
  proxy?: string,
): StageTimer {
  return (stage, own) => {
    const limit = connector.budget.limit(
      own !== undefined && own > 0 ? Math.min(own, connector.timeouts[stage]) : connector.timeouts[stage],
    );
    const handle = setTimeout(
      () => outgoing.destroy(new NetworkTimeoutError(stage, target, proxy, limit.ms, limit.budgetMs)),
      limit.ms,
    );
    handle.unref();
    return handle;
  };
}

/** Ties the caller's signal to the request; returns what unties it. */
function followSignal(signal: AbortSignal | undefined, outgoing: ClientRequest): () => void {
  const abort = () => outgoing.destroy(signal?.reason as Error);
  if (signal?.aborted) abort();
  signal?.addEventListener('abort', abort, { once: true });
  return () => signal?.removeEventListener('abort', abort);
}

/** The response body as text; each chunk restarts the body timer, and `ended` runs when it is all in. */
function bodyText(
  res: IncomingMessage,
  outgoing: ClientRequest,
  bodyTimer: () => NodeJS.Timeout,
  ended: () => void,
): Promise<string> {
  const chunks: Buffer[] = [];
  let timer = bodyTimer();
  const text = new Promise<string>((done, fail) => {
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      clearTimeout(timer);
      timer = bodyTimer();
    });
    res.once('end', () => {
      clearTimeout(timer);
      ended();
      done(Buffer.concat(chunks).toString('utf8'));
    });
    res.once('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    res.once('close', () => clearTimeout(timer));
    outgoing.once('error', fail);
  });
  // A body nobody reads must not end the process with an unhandled rejection.
  text.catch(() => undefined);
  return text;
}

/** Sends `req` the way `viaFor` picks for its URL; resolves with the headers, the body to follow. */
export function exchange(
  connector: Connector,
  req: TransportRequest,
  viaFor: (url: URL) => Via,
): Promise<TransportResponse> {
  return new Promise<TransportResponse>((resolve, reject) => {
    if (connector.closed) throw closedError();
    const url = new URL(req.path, req.origin);
    const { agent, proxy } = viaFor(url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(url, { method: req.method, headers: { ...req.headers }, agent });
    const target = `${url.hostname}:${url.port || DEFAULT_PORT[url.protocol]}`;
    const timer = stageTimer(connector, outgoing, target, proxy);
    // Counted from when the connection is up: connecting has its own stages.
    let headersTimer: NodeJS.Timeout | undefined;
    outgoing.once('socket', () => {
      headersTimer = timer('headers', req.headersTimeout);
    });
    const unfollow = followSignal(req.signal, outgoing);
    outgoing.once('error', (error) => {
      clearTimeout(headersTimer);
      unfollow();
      reject(error);
    });
    outgoing.once('response', (res) => {
      clearTimeout(headersTimer);
      const text = bodyText(res, outgoing, () => timer('body', req.bodyTimeout), unfollow);
      resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: { text: () => text } });
    });
    outgoing.end(req.body ?? undefined);
  });
}
