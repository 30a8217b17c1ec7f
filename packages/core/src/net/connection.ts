import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { createSecureContext, type SecureContext, connect as tlsConnect } from 'node:tls';
import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError, errorMessage } from '../errors.ts';
import { unbracketHost } from '../util.ts';
import { DEFAULT_PORT } from './proxy-env.ts';
import {
  type Budget,
  budgetFrom,
  closedError,
  failure,
  NetworkTimeoutError,
  type Stage,
  type StageTimeouts,
} from './stages.ts';

// Opening a connection stage by stage, each with its timer: TCP, CONNECT through a proxy, TLS.

/** TLS settings for the target (an https proxy gets the CA only, never the client certificate). */
export interface TransportTls {
  readonly ca?: readonly string[];
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly pfx?: Buffer;
  readonly passphrase?: string;
}

/** Where a connection goes, and the proxy it tunnels through if any. */
export interface Route {
  readonly host: string;
  readonly port: number;
  /** `host:port` as CONNECT names it (IPv6 in brackets). */
  readonly target: string;
  readonly proxy?: {
    readonly url: URL;
    readonly shown: string;
    /** The setting it came from, for errors: HTTPS_PROXY, https_proxy, Agent.ProxyUrl. */
    readonly source: string;
    readonly authorization?: string;
  };
}

/**
 * Runs `start` (which settles through `settle`) with a timer for `stage`; the timer never holds the
 * process open by itself, and the socket it guards is destroyed when it fires.
 */
function staged<T>(
  stage: Stage,
  route: Route,
  limit: { ms: number; budgetMs?: number },
  socket: Socket,
  start: (settle: (error: Error | null, value?: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const settle = (error: Error | null, value?: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('close', closed);
      if (error !== null) {
        socket.destroy();
        reject(error);
      } else resolve(value as T);
    };
    const timer = setTimeout(
      () =>
        settle(new NetworkTimeoutError(stage, route.target, route.proxy?.shown, limit.ms, limit.budgetMs)),
      limit.ms,
    );
    timer.unref();
    const closed = () => settle(failure('ECONNRESET', `the connection for ${route.target} closed`));
    socket.once('close', closed);
    start(settle);
  });
}

/** Reads a CONNECT answer: the status line and headers, nothing after them. */
function readConnectAnswer(socket: Socket, settle: (error: Error | null, status?: number) => void): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end === -1) {
      if (head.length > 16_384) settle(failure('ERR_PROXY_TUNNEL', 'the proxy sent an oversized answer'));
      return;
    }
    socket.off('data', onData);
    socket.pause();
    const rest = head.subarray(end + 4);
    if (rest.length > 0) socket.unshift(rest);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.toString('latin1'))?.[1];
    if (status === undefined) settle(failure('ERR_PROXY_TUNNEL', 'the proxy sent no HTTP answer to CONNECT'));
    else settle(null, Number(status));
  };
  socket.on('data', onData);
  socket.once('error', (error) => settle(error));
}

export interface Connector {
  readonly tls: TransportTls;
  readonly timeouts: StageTimeouts;
  readonly budget: Budget;
  readonly sockets: Set<Socket>;
  /** One TLS context per kind of peer, built before the first connection that needs it, not one per connection. */
  readonly contexts: Map<'target' | 'proxy', SecureContext>;
  /** Set by close(): nothing new is opened, so a retry cannot keep the process alive after a failure. */
  closed: boolean;
}

export function newConnector(
  tls: TransportTls,
  timeouts: StageTimeouts,
  budgetMs: number | undefined,
): Connector {
  return {
    tls,
    timeouts,
    budget: budgetFrom(budgetMs),
    sockets: new Set(),
    contexts: new Map(),
    closed: false,
  };
}

/** Destroys every connection still open or opening. */
export function closeConnections(connector: Connector): void {
  for (const socket of connector.sockets) socket.destroy();
  connector.sockets.clear();
}

function track(connector: Connector, socket: Socket): Socket {
  connector.sockets.add(socket);
  socket.once('close', () => connector.sockets.delete(socket));
  return socket;
}

function tcp(connector: Connector, route: Route, host: string, port: number): Promise<Socket> {
  if (connector.closed) return Promise.reject(closedError());
  const socket = track(connector, netConnect({ host: unbracketHost(host), port }));
  return staged('connect', route, connector.budget.limit(connector.timeouts.connect), socket, (settle) => {
    socket.once('connect', () => settle(null, socket));
    socket.once('error', (error) => settle(error));
  });
}

/** The target gets every TLS setting; a proxy gets the CA to check it by, never the client certificate. */
function contextFor(connector: Connector, peer: 'target' | 'proxy'): SecureContext {
  let context = connector.contexts.get(peer);
  if (context === undefined) {
    const { ca, ...identity } = connector.tls;
    const trust = ca === undefined ? {} : { ca: [...ca] };
    try {
      context = createSecureContext(peer === 'proxy' ? trust : { ...identity, ...trust });
    } catch (error) {
      // A certificate, key, passphrase or CA that cannot be used: the settings' fault, not the network's.
      throw new AcrLoginError(
        'CERTIFICATE_INVALID',
        ERROR_TEXTS.CERTIFICATE_INVALID.tlsSettings(errorMessage(error)),
        {
          cause: error,
        },
      );
    }
    connector.contexts.set(peer, context);
  }
  return context;
}

function handshake(
  connector: Connector,
  route: Route,
  socket: Socket,
  host: string,
  peer: 'target' | 'proxy',
): Promise<Socket> {
  const bare = unbracketHost(host);
  const secureContext = contextFor(connector, peer);
  // SNI carries names only; the certificate of an IP target is checked against that IP (`host`).
  const secured = track(
    connector,
    tlsConnect({ secureContext, socket, host: bare, ...(isIP(bare) === 0 ? { servername: bare } : {}) }),
  );
  return staged('tls', route, connector.budget.limit(connector.timeouts.tls), secured, (settle) => {
    secured.once('secureConnect', () => settle(null, secured));
    secured.once('error', (error) => settle(error));
  });
}

/**
 * A failure on the way to the proxy itself, not to the target: the proxy is named with it, and the code
 * (which retries go by) stays. Timeouts name their proxy already; a closed transport is no proxy's doing.
 */
function atProxy(error: unknown, proxy: { readonly shown: string; readonly source: string }): unknown {
  if (!(error instanceof Error) || error instanceof NetworkTimeoutError || error instanceof AcrLoginError) {
    return error;
  }
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_TRANSPORT_CLOSED') return error;
  return Object.assign(error, { proxyConnect: proxy.shown, proxySource: proxy.source });
}

async function tunnel(connector: Connector, route: Route): Promise<Socket> {
  const proxy = route.proxy;
  if (proxy === undefined) throw new Error('unreachable: no proxy');
  const port = Number(proxy.url.port) || (DEFAULT_PORT[proxy.url.protocol] ?? 80);
  let socket: Socket;
  try {
    socket = await tcp(connector, route, proxy.url.hostname, port);
    if (proxy.url.protocol === 'https:') {
      const toProxy: Route = { host: proxy.url.hostname, port, target: proxy.shown };
      socket = await handshake(connector, toProxy, socket, proxy.url.hostname, 'proxy');
    }
  } catch (error) {
    throw atProxy(error, proxy);
  }
  const auth = proxy.authorization === undefined ? '' : `Proxy-Authorization: ${proxy.authorization}\r\n`;
  const status = await staged<number>(
    'proxy',
    route,
    connector.budget.limit(connector.timeouts.proxy),
    socket,
    (settle) => {
      readConnectAnswer(socket, settle);
      socket.write(`CONNECT ${route.target} HTTP/1.1\r\nHost: ${route.target}\r\n${auth}\r\n`);
    },
  );
  if (status === 200) return socket;
  socket.destroy();
  throw failure(
    // Node's own code for this (its built-in proxy support); not retried, as a refusal stays one.
    'ERR_PROXY_TUNNEL',
    `the proxy ${proxy.shown} answered CONNECT ${route.target} with HTTP ${status}`,
    { statusCode: status, proxy: proxy.shown, withCredentials: proxy.authorization !== undefined },
  );
}

async function open(connector: Connector, route: Route, secure: boolean): Promise<Socket> {
  // The TLS contexts before any socket: settings that cannot be used fail here, with nothing left open.
  if (route.proxy?.url.protocol === 'https:') contextFor(connector, 'proxy');
  if (secure) contextFor(connector, 'target');
  const socket =
    route.proxy === undefined
      ? await tcp(connector, route, route.host, route.port)
      : await tunnel(connector, route);
  if (!secure) return socket;
  return handshake(connector, route, socket, route.host, 'target');
}

/** A keep-alive agent whose connections pass each stage in time, direct or tunnelled through a proxy. */
export function stagedAgent(connector: Connector, secure: boolean, proxy: Route['proxy']): HttpAgent {
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const createConnection = (
    options: { host?: string | null; port?: number | string | null },
    callback: (error: Error | null, socket?: Socket) => void,
  ): undefined => {
    const host = options.host ?? 'localhost';
    const port = Number(options.port) || (secure ? 443 : 80);
    const target = `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
    open(connector, { host, port, target, ...(proxy === undefined ? {} : { proxy }) }, secure).then(
      (socket) => callback(null, socket),
      (error: Error) => callback(error),
    );
    return undefined;
  };
  Object.assign(agent, { createConnection });
  return agent;
}
