import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { AcrLoginError } from './errors.ts';
import type { Transport, TransportResponse } from './types.ts';
import { basicCredentials } from './util.ts';

export type { Transport, TransportRequest, TransportResponse } from './types.ts';

/** TLS settings for the target (an https proxy gets the CA only, never the client certificate). */
export interface TransportTls {
  readonly ca?: readonly string[];
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly pfx?: Buffer;
  readonly passphrase?: string;
}

export interface ProxySettings {
  readonly url: string;
  /** `Proxy-Authorization`; by default from the URL's user and password. */
  readonly authorization?: string;
  /** What the user calls this setting, for errors: `Agent.ProxyUrl`. */
  readonly source?: string;
}

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

export interface NodeTransportOptions {
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read when `proxy` is not given. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A proxy for every request `bypass` does not exempt, instead of the environment's. */
  readonly proxy?: ProxySettings;
  readonly bypass?: (url: URL) => boolean;
  readonly tls?: TransportTls;
  /** Per-stage limits; a request's own `headersTimeout` / `bodyTimeout` may only shorten them. */
  readonly timeouts?: Partial<StageTimeouts>;
  /** Total network time from creation; none when undefined. */
  readonly budgetMs?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_PORT: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** A proxy URL as shown in logs and errors, and as stored: scheme, host and port, never the credentials. */
export function redactProxyUrl(value: string): string {
  const url = proxyUrlOf(value);
  // Unparseable: drop everything up to the last `@`, where credentials would be.
  return url === undefined
    ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/i, '$1')
    : `${url.protocol}//${url.host}`;
}

/** A proxy URL as curl and Go read it (no scheme means http), or undefined when it does not parse. */
export function proxyUrlOf(value: string): URL | undefined {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    return undefined;
  }
}

/**
 * A proxy URL as curl and Go take it (no scheme means http). Only http and https proxies are spoken to:
 * anything else (socks5, socks5h) gets an error naming where the URL came from, rather than a CONNECT
 * sent to a port that does not speak HTTP.
 */
export function parseProxyUrl(value: string, source: string): URL {
  const url = proxyUrlOf(value);
  if (url === undefined) {
    throw new AcrLoginError(
      'INPUT_INVALID',
      `${source} is not a URL ("${redactProxyUrl(value)}"). Give the proxy as http://host:port, with any credentials percent-encoded (http://user:p%40ss@host:port).`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AcrLoginError(
      'INPUT_INVALID',
      `${source} names a ${url.protocol.replace(':', '')} proxy ("${redactProxyUrl(value)}"), which acr-login does not speak: set ${source} to an HTTP proxy (http://host:port or https://host:port) that accepts CONNECT, or list the Entra and registry hosts in NO_PROXY to go direct.`,
    );
  }
  return url;
}

// ---- NO_PROXY, as golang.org/x/net/http/httpproxy reads it ----

type NoProxyEntry =
  | { readonly kind: 'cidr'; readonly network: Uint8Array; readonly bits: number }
  | { readonly kind: 'ip'; readonly ip: Uint8Array; readonly port: string }
  | { readonly kind: 'domain'; readonly suffix: string; readonly matchHost: boolean; readonly port: string };

export type NoProxy = readonly NoProxyEntry[] | '*';

/** The 4 or 16 bytes of an IP literal (an IPv4-mapped IPv6 address as its IPv4 bytes, as Go compares). */
function ipBytes(text: string): Uint8Array | undefined {
  const version = isIP(text);
  if (version === 4) return Uint8Array.from(text.split('.').map(Number));
  if (version !== 6) return undefined;
  let value = text.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(value)?.[1];
  if (v4 !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
    value = value.replace(v4, `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`);
  }
  const [head = '', tail] = value.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const n = Number.parseInt(group, 16);
    bytes[2 * i] = n >> 8;
    bytes[2 * i + 1] = n & 0xff;
  });
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** Go's net.SplitHostPort: `host:port` or `[v6]:port`; undefined when there is no port. */
function splitHostPort(text: string): { host: string; port: string } | undefined {
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(text);
  if (bracketed !== null) return { host: bracketed[1] ?? '', port: bracketed[2] ?? '' };
  const plain = /^([^:[\]]*):([^:]*)$/.exec(text);
  if (plain !== null) return { host: plain[1] ?? '', port: plain[2] ?? '' };
  return undefined;
}

function parseCidr(text: string): { network: Uint8Array; bits: number } | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (match === null) return undefined;
  const ip = ipBytes(match[1] ?? '');
  const bits = Number(match[2]);
  if (ip === undefined || bits > ip.length * 8) return undefined;
  return { network: ip, bits };
}

/**
 * NO_PROXY as Go's `httpproxy` (docker, podman, skopeo, helm, oras) reads it, so the step never routes a
 * registry differently from the client that uses its credentials: entries split on commas; `*` alone
 * turns the proxy off; CIDR ranges and IP literals (`::1`, `[::1]:443`) match IP targets; `name` matches
 * itself and its subdomains, `.name` and `*.name` subdomains only; `:port` limits any of them to a port.
 */
export function parseNoProxy(value: string): NoProxy {
  const entries: NoProxyEntry[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return '*';
    const cidr = parseCidr(entry);
    if (cidr !== undefined) {
      entries.push({ kind: 'cidr', ...cidr });
      continue;
    }
    const split = splitHostPort(entry);
    if (split !== undefined && split.host === '') continue;
    const host = split?.host ?? entry;
    const port = split?.port ?? '';
    const ip = ipBytes(host);
    if (ip !== undefined) {
      entries.push({ kind: 'ip', ip, port });
      continue;
    }
    let suffix = host.startsWith('*.') ? host.slice(1) : host;
    const matchHost = !suffix.startsWith('.');
    if (matchHost) suffix = `.${suffix}`;
    entries.push({ kind: 'domain', suffix, matchHost, port });
  }
  return entries;
}

function sameBytes(a: Uint8Array, b: Uint8Array, bits = a.length * 8): boolean {
  if (a.length !== b.length) return false;
  for (let bit = 0; bit < bits; bit += 8) {
    const mask = bits - bit >= 8 ? 0xff : (0xff << (8 - (bits - bit))) & 0xff;
    if (((a[bit / 8] ?? 0) & mask) !== ((b[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}

/** Whether a request to `url` goes direct: Go's `useProxy`, negated. Loopback never uses a proxy. */
export function noProxyMatches(entries: NoProxy, url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || String(DEFAULT_PORT[url.protocol] ?? '');
  if (host === 'localhost') return true;
  const ip = ipBytes(host);
  if (ip !== undefined && (ip.length === 4 ? ip[0] === 127 : sameBytes(ip, ipBytes('::1') as Uint8Array)))
    return true;
  if (entries === '*') return true;
  return entries.some((entry) => {
    switch (entry.kind) {
      case 'cidr':
        return ip !== undefined && sameBytes(ip, entry.network, entry.bits);
      case 'ip':
        return ip !== undefined && sameBytes(ip, entry.ip) && (entry.port === '' || entry.port === port);
      case 'domain':
        return (
          (host.endsWith(entry.suffix) || (entry.matchHost && host === entry.suffix.slice(1))) &&
          (entry.port === '' || entry.port === port)
        );
    }
    return false;
  });
}

export interface EnvProxy {
  readonly url: string;
  /** The variable it came from, for errors. */
  readonly variable: string;
}

function envAny(env: Env, names: readonly string[]): { value: string; name: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { value, name };
  }
  return undefined;
}

/**
 * The proxy the environment names for `url`, as Go's `httpproxy.FromEnvironment` picks it: HTTPS_PROXY
 * (then https_proxy) for https, HTTP_PROXY (then http_proxy) for http, none where NO_PROXY matches.
 */
export function envProxy(env: Env, url: URL): EnvProxy | undefined {
  const chosen =
    url.protocol === 'https:'
      ? envAny(env, ['HTTPS_PROXY', 'https_proxy'])
      : envAny(env, ['HTTP_PROXY', 'http_proxy']);
  if (chosen === undefined) return undefined;
  const noProxy = envAny(env, ['NO_PROXY', 'no_proxy'])?.value ?? '';
  return noProxyMatches(parseNoProxy(noProxy), url)
    ? undefined
    : { url: chosen.value, variable: chosen.name };
}

/** The proxy URL for a request from the environment, or undefined to go direct. */
export function envProxyFor(env: Env, url: URL): string | undefined {
  return envProxy(env, url)?.url;
}

// ---- connections with a timeout per stage ----

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

function failure(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code }, extra);
}

const closedError = () => failure('ERR_TRANSPORT_CLOSED', 'the transport was closed');

interface Budget {
  /** The time a stage may take: its own limit, or what is left of the budget. */
  limit(stageMs: number): { ms: number; budgetMs?: number };
}

function budgetFrom(budgetMs: number | undefined): Budget {
  if (budgetMs === undefined) return { limit: (ms) => ({ ms }) };
  const deadline = Date.now() + budgetMs;
  return {
    limit(ms) {
      const left = Math.max(0, deadline - Date.now());
      return left < ms ? { ms: left, budgetMs } : { ms };
    },
  };
}

interface Route {
  readonly host: string;
  readonly port: number;
  /** `host:port` as CONNECT names it (IPv6 in brackets). */
  readonly target: string;
  readonly proxy?: { readonly url: URL; readonly shown: string; readonly authorization?: string };
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

interface Connector {
  readonly tls: TransportTls;
  readonly timeouts: StageTimeouts;
  readonly budget: Budget;
  readonly sockets: Set<Socket>;
  /** Set by close(): nothing new is opened, so a retry cannot keep the process alive after a failure. */
  closed: boolean;
}

function track(connector: Connector, socket: Socket): Socket {
  connector.sockets.add(socket);
  socket.once('close', () => connector.sockets.delete(socket));
  return socket;
}

function tcp(connector: Connector, route: Route, host: string, port: number): Promise<Socket> {
  if (connector.closed) return Promise.reject(closedError());
  const socket = track(connector, netConnect({ host: host.replace(/^\[|\]$/g, ''), port }));
  return staged('connect', route, connector.budget.limit(connector.timeouts.connect), socket, (settle) => {
    socket.once('connect', () => settle(null, socket));
    socket.once('error', (error) => settle(error));
  });
}

function handshake(
  connector: Connector,
  route: Route,
  socket: Socket,
  host: string,
  options: ConnectionOptions,
): Promise<Socket> {
  const bare = host.replace(/^\[|\]$/g, '');
  // SNI carries names only; the certificate of an IP target is checked against that IP (`host`).
  const secured = track(
    connector,
    tlsConnect({ ...options, socket, host: bare, ...(isIP(bare) === 0 ? { servername: bare } : {}) }),
  );
  return staged('tls', route, connector.budget.limit(connector.timeouts.tls), secured, (settle) => {
    secured.once('secureConnect', () => settle(null, secured));
    secured.once('error', (error) => settle(error));
  });
}

async function tunnel(connector: Connector, route: Route): Promise<Socket> {
  const proxy = route.proxy;
  if (proxy === undefined) throw new Error('unreachable: no proxy');
  const port = Number(proxy.url.port) || (DEFAULT_PORT[proxy.url.protocol] ?? 80);
  let socket = await tcp(connector, route, proxy.url.hostname, port);
  if (proxy.url.protocol === 'https:') {
    // The proxy gets the CA to check it by, never the client certificate: that is for the target alone.
    const ca = connector.tls.ca === undefined ? {} : { ca: [...connector.tls.ca] };
    const toProxy: Route = { host: proxy.url.hostname, port, target: proxy.shown };
    socket = await handshake(connector, toProxy, socket, proxy.url.hostname, ca);
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
  const socket =
    route.proxy === undefined
      ? await tcp(connector, route, route.host, route.port)
      : await tunnel(connector, route);
  if (!secure) return socket;
  return handshake(connector, route, socket, route.host, connector.tls as ConnectionOptions);
}

function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === '') return undefined;
  const user = decodeURIComponent(proxy.username);
  return `Basic ${basicCredentials(user, decodeURIComponent(proxy.password))}`;
}

/** A keep-alive agent whose connections pass each stage in time, direct or tunnelled through a proxy. */
function stagedAgent(connector: Connector, secure: boolean, proxy: Route['proxy']): HttpAgent {
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

/**
 * A transport on `node:http`/`node:https`: keep-alive connections per host, HTTPS_PROXY / HTTP_PROXY /
 * NO_PROXY from the environment (or one explicit proxy with its own bypass), tunnelled with CONNECT.
 * Every stage has a timeout (`STAGE_TIMEOUTS`), and all of them together the budget, if one is given.
 * `close` destroys every connection, open or opening, so nothing holds the process open after the login.
 */
export function nodeTransport(options: NodeTransportOptions = {}): Transport {
  const env = options.env ?? process.env;
  const timeouts: StageTimeouts = { ...STAGE_TIMEOUTS, ...options.timeouts };
  const connector: Connector = {
    tls: options.tls ?? {},
    timeouts,
    budget: budgetFrom(options.budgetMs),
    sockets: new Set(),
    closed: false,
  };
  const agents = new Map<string, HttpAgent>();
  const agentFor = (url: URL): { agent: HttpAgent; proxy?: string } => {
    const secure = url.protocol === 'https:';
    const bypassed = options.bypass?.(url) ?? false;
    const chosen = bypassed
      ? undefined
      : options.proxy === undefined
        ? envProxy(env, url)
        : { url: options.proxy.url, variable: options.proxy.source ?? 'the proxy URL' };
    const proxyUrl = chosen === undefined ? undefined : parseProxyUrl(chosen.url, chosen.variable);
    const key = `${url.protocol}${proxyUrl?.href ?? ''}`;
    const shown = proxyUrl === undefined ? undefined : `${proxyUrl.protocol}//${proxyUrl.host}`;
    let agent = agents.get(key);
    if (agent === undefined) {
      const authorization =
        proxyUrl === undefined ? undefined : (options.proxy?.authorization ?? proxyAuthorization(proxyUrl));
      agent = stagedAgent(
        connector,
        secure,
        proxyUrl === undefined
          ? undefined
          : { url: proxyUrl, shown: shown ?? '', ...(authorization === undefined ? {} : { authorization }) },
      );
      agents.set(key, agent);
    }
    return { agent, ...(shown === undefined ? {} : { proxy: shown }) };
  };

  return {
    request(req) {
      return new Promise<TransportResponse>((resolve, reject) => {
        if (connector.closed) throw closedError();
        const url = new URL(req.path, req.origin);
        const { agent, proxy } = agentFor(url);
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const outgoing = send(url, { method: req.method, headers: { ...req.headers }, agent });
        const target = `${url.hostname}:${url.port || DEFAULT_PORT[url.protocol]}`;
        const timer = (stage: 'headers' | 'body', own: number | undefined) => {
          const limit = connector.budget.limit(
            own !== undefined && own > 0 ? Math.min(own, timeouts[stage]) : timeouts[stage],
          );
          const handle = setTimeout(
            () => outgoing.destroy(new NetworkTimeoutError(stage, target, proxy, limit.ms, limit.budgetMs)),
            limit.ms,
          );
          handle.unref();
          return handle;
        };
        // Counted from when the connection is up: connecting has its own stages.
        let headersTimer: NodeJS.Timeout | undefined;
        outgoing.once('socket', () => {
          headersTimer = timer('headers', req.headersTimeout);
        });
        const abort = () => outgoing.destroy(req.signal?.reason as Error);
        if (req.signal?.aborted) abort();
        req.signal?.addEventListener('abort', abort, { once: true });
        outgoing.once('error', (error) => {
          clearTimeout(headersTimer);
          req.signal?.removeEventListener('abort', abort);
          reject(error);
        });
        outgoing.once('response', (res) => {
          clearTimeout(headersTimer);
          const chunks: Buffer[] = [];
          let bodyTimer = timer('body', req.bodyTimeout);
          const text = new Promise<string>((done, fail) => {
            res.on('data', (chunk: Buffer) => {
              chunks.push(chunk);
              clearTimeout(bodyTimer);
              bodyTimer = timer('body', req.bodyTimeout);
            });
            res.once('end', () => {
              clearTimeout(bodyTimer);
              req.signal?.removeEventListener('abort', abort);
              done(Buffer.concat(chunks).toString('utf8'));
            });
            res.once('error', (error) => {
              clearTimeout(bodyTimer);
              fail(error);
            });
            res.once('close', () => clearTimeout(bodyTimer));
            outgoing.once('error', fail);
          });
          // A body nobody reads must not end the process with an unhandled rejection.
          text.catch(() => undefined);
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: { text: () => text } });
        });
        outgoing.end(req.body ?? undefined);
      });
    },
    async close() {
      connector.closed = true;
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
      for (const socket of connector.sockets) socket.destroy();
      connector.sockets.clear();
    },
  };
}
