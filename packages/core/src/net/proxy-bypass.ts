import { isLocalHost } from '../util.ts';

/**
 * A bypass list of regular expressions, as Azure Pipelines keeps one (`Agent.ProxyBypassList`): an entry
 * that does not compile is dropped, where task-lib would throw on it.
 */
export function bypassPatterns(entries: readonly string[]): RegExp[] {
  return entries.flatMap((entry) => {
    try {
      return [new RegExp(entry, 'i')];
    } catch {
      return [];
    }
  });
}

/**
 * Whether a request to `url` goes direct: local hosts always, and any URL a pattern matches, tested against
 * the whole URL as the agent and its own tasks test it.
 */
export function bypassesProxy(url: URL, bypass: readonly RegExp[]): boolean {
  return isLocalHost(url.hostname) || bypass.some((pattern) => pattern.test(url.href));
}
