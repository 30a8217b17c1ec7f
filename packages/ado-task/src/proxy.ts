import { basicCredentials, isLocalHost } from '@acr-login/core';
import { Agent, Dispatcher, ProxyAgent } from 'undici';

/** `tl.getHttpProxyConfiguration()`'s result, the fields we use. */
export interface AgentProxy {
  readonly proxyUrl: string;
  readonly proxyUsername?: string | undefined;
  readonly proxyPassword?: string | undefined;
  /** Regular expressions, tested against the whole request URL (as task-lib and the agent do). */
  readonly proxyBypassHosts?: readonly string[] | undefined;
}

/** Whether a request to `url` goes direct: local hosts always, and anything the bypass list matches. */
export function bypassesProxy(url: URL, bypass: readonly RegExp[]): boolean {
  return isLocalHost(url.hostname) || bypass.some((pattern) => pattern.test(url.href));
}

/** Bypass entries that are not valid regular expressions are dropped, as task-lib would throw on them. */
export function bypassPatterns(hosts: readonly string[]): RegExp[] {
  return hosts.flatMap((host) => {
    try {
      return [new RegExp(host, 'i')];
    } catch {
      return [];
    }
  });
}

/** The `Proxy-Authorization` value for the agent's proxy credentials, when it has any. */
export function proxyToken(proxy: AgentProxy): string | undefined {
  if (!proxy.proxyUsername) return undefined;
  return `Basic ${basicCredentials(proxy.proxyUsername, proxy.proxyPassword ?? '')}`;
}

/**
 * Sends each request through the agent's proxy, or direct when the bypass list or a local host says so.
 * The agent configures its proxy in its own settings, not in HTTPS_PROXY, so core's default cannot see it.
 */
export class AgentProxyDispatcher extends Dispatcher {
  readonly #proxy: ProxyAgent;
  readonly #direct = new Agent();
  readonly #bypass: readonly RegExp[];

  constructor(proxy: AgentProxy) {
    super();
    const token = proxyToken(proxy);
    this.#proxy = new ProxyAgent({ uri: proxy.proxyUrl, ...(token === undefined ? {} : { token }) });
    this.#bypass = bypassPatterns(proxy.proxyBypassHosts ?? []);
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const url = new URL(options.path, String(options.origin));
    const target = bypassesProxy(url, this.#bypass) ? this.#direct : this.#proxy;
    return target.dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all([this.#proxy.close(), this.#direct.close()]);
  }

  override async destroy(): Promise<void> {
    await Promise.all([this.#proxy.destroy(), this.#direct.destroy()]);
  }
}
