import {
  isLocalHost,
  listedProxyOptions,
  NETWORK_BUDGET_MS,
  nodeTransport,
  proxyUrlSecrets,
  redactProxyUrl,
  type Transport,
  type TransportTls,
  tlsFromFiles,
} from '@acr-login/core';
import type { Agent } from './agent.ts';
import type { Localize } from './context.ts';
import { type AgentProxy, agentProxy, proxyToken } from './proxy.ts';

/**
 * The agent's proxy and certificates as the step's transport, their secrets masked and their use logged;
 * undefined when the agent has neither. The agent's proxy (Agent.ProxyUrl) is not in HTTPS_PROXY, so core's
 * default cannot see it. Apart from the host: only the main step, which makes requests, loads an HTTP client.
 */
export function agentDispatcher(
  agent: Agent,
  loc: Localize,
  mask: (secret: string | undefined) => void,
): Transport | undefined {
  const proxy = agent.proxy();
  const certificates = agent.certificates();
  if (proxy === undefined && certificates === undefined) return undefined;
  if (proxy !== undefined) {
    mask(proxy.proxyPassword);
    mask(proxyToken(proxy));
    for (const secret of proxyUrlSecrets(proxy.proxyUrl)) mask(secret);
    agent.info(loc('UsingProxy', redactProxyUrl(proxy.proxyUrl)));
  }
  if (certificates !== undefined) {
    mask(certificates.passphrase);
    agent.info(
      loc(
        'UsingCertificates',
        certificates.caFile ?? '-',
        certificates.certFile ?? certificates.certArchiveFile ?? '-',
      ),
    );
  }
  return agentTransport(proxy, certificates === undefined ? {} : tlsFromFiles(certificates));
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
  return nodeTransport({ tls, ...listedProxyOptions(agentProxy(proxy)), budgetMs: NETWORK_BUDGET_MS });
}
