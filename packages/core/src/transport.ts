import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { basicCredentials } from './util.ts';

/**
 * What core asks of a transport: undici's `Dispatcher.request` and `close`, so a test's MockAgent (or any
 * undici dispatcher) can be injected, while a step uses `nodeTransport`, built on Node's own http stack.
 * Node's parser is native and already loaded, where undici's WebAssembly parser, its HTTP/2 client and
 * its own code cost about a third of a step's start-up (docs/design.md, Performance).
 */
export interface Transport {
  request(options: TransportRequest): Promise<TransportResponse>;
  close(): Promise<void>;
}

export interface TransportRequest {
  readonly origin: string;
  readonly path: string;
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | null;
  /** Milliseconds until the response headers arrive. */
  readonly headersTimeout?: number;
  /** Milliseconds the body may stay silent. */
  readonly bodyTimeout?: number;
  readonly signal?: AbortSignal;
}

export interface TransportResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: { text(): Promise<string> };
}

/** TLS settings for the target (and an https proxy): an extra CA, a client certificate. */
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
}

export interface NodeTransportOptions {
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read when `proxy` is not given. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A proxy for every request `bypass` does not exempt, instead of the environment's. */
  readonly proxy?: ProxySettings;
  readonly bypass?: (url: URL) => boolean;
  readonly tls?: TransportTls;
  /** For a request that sets no `headersTimeout` / `bodyTimeout`: undici's 300 s, so nothing waits forever. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 300_000;

type Env = Readonly<Record<string, string | undefined>>;

interface NoProxyEntry {
  readonly hostname: string;
  readonly port: number;
}

const DEFAULT_PORT: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** NO_PROXY as undici's EnvHttpProxyAgent and curl read it: names match themselves and their subdomains. */
export function parseNoProxy(value: string): readonly NoProxyEntry[] | '*' {
  if (value.trim() === '*') return '*';
  return value
    .split(/[,\s]/)
    .filter(Boolean)
    .map((entry) => {
      const parsed = /^(.+):(\d+)$/.exec(entry);
      return {
        hostname: (parsed?.[1] ?? entry).replace(/^\*?\./, '').toLowerCase(),
        port: parsed ? Number.parseInt(parsed[2] ?? '0', 10) : 0,
      };
    });
}

export function noProxyMatches(entries: readonly NoProxyEntry[] | '*', url: URL): boolean {
  if (entries === '*') return true;
  const hostname = url.hostname.toLowerCase();
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORT[url.protocol] || 0;
  return entries.some(
    (entry) =>
      (entry.port === 0 || entry.port === port) &&
      (hostname === entry.hostname || hostname.endsWith(`.${entry.hostname}`)),
  );
}

/** The proxy URL for a request from the environment, as undici's EnvHttpProxyAgent picks it. */
export function envProxyFor(env: Env, url: URL): string | undefined {
  const http = env.http_proxy || env.HTTP_PROXY || undefined;
  const chosen = url.protocol === 'https:' ? env.https_proxy || env.HTTPS_PROXY || http : http;
  if (chosen === undefined) return undefined;
  return noProxyMatches(parseNoProxy(env.no_proxy ?? env.NO_PROXY ?? ''), url) ? undefined : chosen;
}

function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === '') return undefined;
  const user = decodeURIComponent(proxy.username);
  return `Basic ${basicCredentials(user, decodeURIComponent(proxy.password))}`;
}

function failure(code: string, message: string, statusCode?: number): Error {
  return Object.assign(new Error(message), { code }, statusCode === undefined ? {} : { statusCode });
}

/** Opens a tunnel to `host:port` through an http(s) proxy with CONNECT, as undici's ProxyAgent does. */
function tunnel(
  proxy: URL,
  authorization: string | undefined,
  target: string,
  tls: TransportTls,
  done: (error: Error | null, socket?: Socket) => void,
): void {
  const options: RequestOptions = {
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: proxy.port || DEFAULT_PORT[proxy.protocol],
    method: 'CONNECT',
    path: target,
    agent: false,
    headers: {
      host: target,
      ...(authorization === undefined ? {} : { 'proxy-authorization': authorization }),
    },
    ...(proxy.protocol === 'https:' ? (tls as RequestOptions) : {}),
  };
  const connectRequest = proxy.protocol === 'https:' ? httpsRequest(options) : httpRequest(options);
  connectRequest.once('connect', (res: IncomingMessage, socket: Socket) => {
    if (res.statusCode === 200) {
      done(null, socket);
      return;
    }
    socket.destroy();
    done(
      failure(
        // Node's own code for this (its built-in proxy support); not retried, as a refusal stays one.
        'ERR_PROXY_TUNNEL',
        `the proxy ${proxy.host} answered CONNECT ${target} with HTTP ${res.statusCode ?? 0}`,
        res.statusCode,
      ),
    );
  });
  connectRequest.once('error', (error) => done(error));
  connectRequest.end();
}

/** A keep-alive agent whose connections go through the proxy, so requests to one host share a tunnel. */
function tunnellingAgent(
  proxyUrl: string,
  settings: ProxySettings | undefined,
  secure: boolean,
  tls: TransportTls,
) {
  const proxy = new URL(/^[a-z]+:\/\//i.test(proxyUrl) ? proxyUrl : `http://${proxyUrl}`);
  const authorization = settings?.authorization ?? proxyAuthorization(proxy);
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const createConnection = (
    options: { host?: string | null; port?: number | string | null; servername?: string },
    callback: (error: Error | null, socket?: Socket) => void,
  ): undefined => {
    const host = options.host ?? 'localhost';
    const port = Number(options.port) || (secure ? 443 : 80);
    const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    tunnel(proxy, authorization, target, tls, (error, socket) => {
      if (error !== null || socket === undefined) {
        callback(error ?? new Error('no socket'));
        return;
      }
      if (!secure) {
        callback(null, socket);
        return;
      }
      const secured = tlsConnect({
        ...(tls as ConnectionOptions),
        socket,
        servername: options.servername ?? host,
      });
      secured.once('secureConnect', () => callback(null, secured));
      secured.once('error', (tlsError) => callback(tlsError));
    });
    return undefined;
  };
  Object.assign(agent, { createConnection });
  return agent;
}

/**
 * A transport on `node:http`/`node:https`: keep-alive connections per host, HTTPS_PROXY / HTTP_PROXY /
 * NO_PROXY from the environment (or one explicit proxy with its own bypass), tunnelled with CONNECT.
 * `close` destroys the idle connections, so nothing holds the process open after the login.
 */
export function nodeTransport(options: NodeTransportOptions = {}): Transport {
  const env = options.env ?? process.env;
  const tls = options.tls ?? {};
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const agents = new Map<string, HttpAgent>();
  const agentFor = (url: URL): HttpAgent => {
    const secure = url.protocol === 'https:';
    const bypassed = options.bypass?.(url) ?? false;
    const proxyUrl = bypassed ? undefined : (options.proxy?.url ?? envProxyFor(env, url));
    const key = `${url.protocol}${proxyUrl ?? ''}`;
    let agent = agents.get(key);
    if (agent === undefined) {
      agent =
        proxyUrl === undefined
          ? secure
            ? new HttpsAgent({ keepAlive: true, ...(tls as object) })
            : new HttpAgent({ keepAlive: true })
          : tunnellingAgent(proxyUrl, options.proxy, secure, tls);
      agents.set(key, agent);
    }
    return agent;
  };

  return {
    request(req) {
      const url = new URL(req.path, req.origin);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise<TransportResponse>((resolve, reject) => {
        const outgoing = send(url, {
          method: req.method,
          headers: { ...req.headers },
          agent: agentFor(url),
          ...(url.protocol === 'https:' ? (tls as object) : {}),
        });
        const timer = (ms: number | undefined, what: string) =>
          ms === undefined || ms <= 0
            ? undefined
            : setTimeout(() => outgoing.destroy(failure('ETIMEDOUT', `no ${what} within ${ms} ms`)), ms);
        const headersTimer = timer(req.headersTimeout ?? defaultTimeout, 'response headers');
        const abort = () => outgoing.destroy(req.signal?.reason as Error);
        if (req.signal?.aborted) abort();
        req.signal?.addEventListener('abort', abort, { once: true });
        outgoing.once('error', (error) => {
          clearTimeout(headersTimer);
          reject(error);
        });
        outgoing.once('response', (res) => {
          clearTimeout(headersTimer);
          const chunks: Buffer[] = [];
          let bodyTimer = timer(req.bodyTimeout ?? defaultTimeout, 'response body data');
          const text = new Promise<string>((done, fail) => {
            res.on('data', (chunk: Buffer) => {
              chunks.push(chunk);
              clearTimeout(bodyTimer);
              bodyTimer = timer(req.bodyTimeout ?? defaultTimeout, 'response body data');
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
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}
