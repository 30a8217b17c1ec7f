import {
  basicCredentials,
  bypassesProxy,
  bypassPatterns,
  isLocalHost,
  NETWORK_BUDGET_MS,
  nodeTransport,
  proxyUrlOf,
  type RenewalProxy,
  type TlsFiles,
  type Transport,
  type TransportTls,
} from '@acr-login/core';

/** What the user calls the agent's proxy, in errors. */
const PROXY_SETTING = 'Agent.ProxyUrl';

/** The agent's proxy (`Agent.ProxyUrl` and its companions), as task-lib's `getHttpProxyConfiguration` gives it. */
export interface AgentProxy {
  readonly proxyUrl: string;
  readonly proxyUsername?: string | undefined;
  readonly proxyPassword?: string | undefined;
  /** Regular expressions, tested against the whole request URL (as task-lib and the agent do). */
  readonly proxyBypassHosts?: readonly string[] | undefined;
}

/** The agent's CA (`Agent.CAInfo`) and client certificate, as task-lib's `getHttpCertConfiguration` gives them. */
export type AgentCertificates = TlsFiles;

/** The `Proxy-Authorization` value for the agent's proxy credentials, when it has any. */
export function proxyToken(proxy: AgentProxy): string | undefined {
  if (!proxy.proxyUsername) return undefined;
  return `Basic ${basicCredentials(proxy.proxyUsername, proxy.proxyPassword ?? '')}`;
}

/**
 * The agent's proxy as one URL that carries the credentials the login used: `Agent.ProxyUsername` and
 * `Agent.ProxyPassword` where given (as `proxyToken`), else whatever `Agent.ProxyUrl` holds. For the renewal
 * agent, which keeps it in memory only and renews hours later the way the login went.
 */
export function proxyUrlWithCredentials(proxy: AgentProxy): string {
  const url = proxy.proxyUsername ? proxyUrlOf(proxy.proxyUrl) : undefined;
  if (url === undefined) return proxy.proxyUrl;
  // Encoded in full: the URL setters leave `%` as it is, which a reader would then decode.
  url.username = encodeURIComponent(proxy.proxyUsername ?? '');
  url.password = encodeURIComponent(proxy.proxyPassword ?? '');
  return url.href;
}

/** The agent's proxy for the renewal agent: the route the login took, credentials and bypass list included. */
export function renewalProxy(proxy: AgentProxy): RenewalProxy {
  return { url: proxyUrlWithCredentials(proxy), bypass: proxy.proxyBypassHosts ?? [], source: PROXY_SETTING };
}

/**
 * The password an `Agent.ProxyUrl` may carry (`http://user:pass@proxy:port`), raw and decoded, to mask
 * before anything is printed; its `Proxy-Authorization` too.
 */
export function urlSecrets(proxyUrl: string): string[] {
  const url = proxyUrlOf(proxyUrl);
  if (url === undefined || url.password === '') return [];
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return [...new Set([url.password, password, `Basic ${basicCredentials(user, password)}`])];
}

/**
 * The agent's network settings: its proxy (which the agent keeps in its own settings, not in
 * HTTPS_PROXY, so core's default cannot see it) with its bypass list, and its certificates. Without an
 * agent proxy, HTTPS_PROXY and NO_PROXY still apply; local hosts never go through a proxy.
 */
export function agentTransport(proxy: AgentProxy | undefined, tls: TransportTls = {}): Transport {
  if (proxy === undefined) {
    return nodeTransport({ tls, bypass: (url) => isLocalHost(url.hostname), budgetMs: NETWORK_BUDGET_MS });
  }
  const bypass = bypassPatterns(proxy.proxyBypassHosts ?? []);
  const authorization = proxyToken(proxy);
  return nodeTransport({
    tls,
    proxy: {
      url: proxy.proxyUrl,
      source: PROXY_SETTING,
      ...(authorization === undefined ? {} : { authorization }),
    },
    bypass: (url) => bypassesProxy(url, bypass),
    budgetMs: NETWORK_BUDGET_MS,
  });
}
