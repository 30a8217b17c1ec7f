import {
  type Connector,
  closeConnections,
  newConnector,
  type Route,
  stagedAgent,
  type TransportTls,
} from './net/connection.ts';
import { exchange, type Via } from './net/exchange.ts';
import { bypassesProxy, bypassPatterns } from './net/proxy-bypass.ts';
import { type Env, envProxy, parseProxyUrl, proxyAuthorization } from './net/proxy-env.ts';
import { STAGE_TIMEOUTS, type StageTimeouts } from './net/stages.ts';
import type { Transport } from './types.ts';

export type { TransportTls } from './net/connection.ts';
export { bypassesProxy, bypassPatterns } from './net/proxy-bypass.ts';
export {
  type EnvProxy,
  envProxy,
  envProxyFor,
  type NoProxy,
  noProxyMatches,
  parseNoProxy,
  parseProxyUrl,
  proxyUrlOf,
  proxyUrlSecrets,
  redactProxyUrl,
} from './net/proxy-env.ts';
export {
  NETWORK_BUDGET_MS,
  NetworkTimeoutError,
  STAGE_TIMEOUTS,
  type Stage,
  type StageTimeouts,
} from './net/stages.ts';
export { type TlsFiles, tlsFromFiles } from './net/tls-files.ts';
export type { Transport, TransportRequest, TransportResponse } from './types.ts';

export interface ProxySettings {
  readonly url: string;
  /** `Proxy-Authorization`; by default from the URL's user and password. */
  readonly authorization?: string;
  /** What the user calls this setting, for errors: `Agent.ProxyUrl`. */
  readonly source?: string;
}

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

/**
 * None where `bypass` exempts the URL; else the explicit proxy, or the one the environment names, with the
 * setting it came from.
 */
function chosenProxy(
  options: NodeTransportOptions,
  env: Env,
  url: URL,
): { readonly url: URL; readonly source: string } | undefined {
  const bypassed = options.bypass?.(url) ?? false;
  const chosen = bypassed
    ? undefined
    : options.proxy === undefined
      ? envProxy(env, url)
      : { url: options.proxy.url, variable: options.proxy.source ?? 'the proxy URL' };
  return chosen === undefined
    ? undefined
    : { url: parseProxyUrl(chosen.url, chosen.variable), source: chosen.variable };
}

/**
 * The proxy as a connection tunnels through it, shown without credentials: the explicit credentials, else
 * the URL's own.
 */
function proxyRoute(
  url: URL,
  source: string,
  authorization: string | undefined,
): NonNullable<Route['proxy']> {
  const given = authorization ?? proxyAuthorization(url);
  const shown = `${url.protocol}//${url.host}`;
  return { url, shown, source, ...(given === undefined ? {} : { authorization: given }) };
}

/** An explicit proxy with a bypass list of regular expressions, as Azure Pipelines keeps the agent's. */
export interface ListedProxy extends ProxySettings {
  /** Tested against a request's whole URL: a match goes direct (`Agent.ProxyBypassList`). */
  readonly bypass: readonly string[];
}

/** The transport options for such a proxy: local hosts and what the list matches go direct. */
export function listedProxyOptions(proxy: ListedProxy): Pick<NodeTransportOptions, 'proxy' | 'bypass'> {
  const { bypass: entries, ...settings } = proxy;
  const bypass = bypassPatterns(entries);
  return { proxy: settings, bypass: (url) => bypassesProxy(url, bypass) };
}

/** One keep-alive agent per scheme and proxy, made when first needed; `destroy` ends them all. */
function agentPool(connector: Connector, options: NodeTransportOptions) {
  const env = options.env ?? process.env;
  // Each agent with the proxy as shown, both fixed by the key: made once, handed to every request after.
  const vias = new Map<string, Via>();
  const viaFor = (url: URL): Via => {
    const chosen = chosenProxy(options, env, url);
    const key = `${url.protocol}${chosen?.url.href ?? ''}`;
    let via = vias.get(key);
    if (via === undefined) {
      const secure = url.protocol === 'https:';
      if (chosen === undefined) {
        via = { agent: stagedAgent(connector, secure, undefined) };
      } else {
        const proxy = proxyRoute(chosen.url, chosen.source, options.proxy?.authorization);
        via = { agent: stagedAgent(connector, secure, proxy), proxy: proxy.shown };
      }
      vias.set(key, via);
    }
    return via;
  };
  const destroy = () => {
    for (const via of vias.values()) via.agent.destroy();
    vias.clear();
  };
  return { viaFor, destroy };
}

/**
 * A transport on `node:http`/`node:https`: keep-alive connections per host, HTTPS_PROXY / HTTP_PROXY /
 * NO_PROXY from the environment (or one explicit proxy with its own bypass), tunnelled with CONNECT.
 * Every stage has a timeout (`STAGE_TIMEOUTS`), and all of them together the budget, if one is given.
 * `close` destroys every connection, open or opening, so nothing holds the process open after the login.
 */
export function nodeTransport(options: NodeTransportOptions = {}): Transport {
  const timeouts: StageTimeouts = { ...STAGE_TIMEOUTS, ...options.timeouts };
  const connector = newConnector(options.tls ?? {}, timeouts, options.budgetMs);
  const agents = agentPool(connector, options);
  return {
    request(req) {
      return exchange(connector, req, agents.viaFor);
    },
    async close() {
      connector.closed = true;
      agents.destroy();
      closeConnections(connector);
    },
  };
}
