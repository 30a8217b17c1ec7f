import { basicCredentials, type ListedProxy, type TlsFiles } from '@acr-login/core';

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

/** The agent's proxy with its credentials and bypass list: the login's route, and the renewal agent's. */
export function agentProxy(proxy: AgentProxy): ListedProxy {
  const authorization = proxyToken(proxy);
  return {
    url: proxy.proxyUrl,
    source: PROXY_SETTING,
    ...(authorization === undefined ? {} : { authorization }),
    bypass: proxy.proxyBypassHosts ?? [],
  };
}
