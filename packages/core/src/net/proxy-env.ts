import { isIP } from 'node:net';
import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError } from '../errors.ts';
import { basicCredentials, unbracketHost } from '../util.ts';

// Which proxy a request takes: proxy URLs as curl and Go read them, and HTTPS_PROXY / HTTP_PROXY /
// NO_PROXY as Go's `httpproxy` reads them.

export type Env = Readonly<Record<string, string | undefined>>;

/** The port of a URL that names none. */
export const DEFAULT_PORT: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** A proxy URL as shown in logs and errors, and as stored: scheme, host and port, never the credentials. */
export function redactProxyUrl(value: string): string {
  const url = proxyUrlOf(value);
  // Unparseable: drop everything up to the last `@`, where credentials would be.
  return url === undefined
    ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/i, '$1')
    : `${url.protocol}//${url.host}`;
}

/**
 * The password a proxy URL may carry (`http://user:pass@proxy:port`), as written and decoded, and the
 * `Proxy-Authorization` the transport sends from it: what to mask, or keep out of an environment.
 */
export function proxyUrlSecrets(value: string): string[] {
  const url = proxyUrlOf(value);
  if (url === undefined || url.password === '') return [];
  const header = proxyAuthorization(url);
  return [
    ...new Set([url.password, decodeURIComponent(url.password), ...(header === undefined ? [] : [header])]),
  ];
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
      ERROR_TEXTS.INPUT_INVALID.proxyNotUrl(source, redactProxyUrl(value)),
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AcrLoginError(
      'INPUT_INVALID',
      ERROR_TEXTS.INPUT_INVALID.proxyNotHttp(source, url.protocol.replace(':', ''), redactProxyUrl(value)),
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
  const host = unbracketHost(url.hostname).toLowerCase();
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

/** `Proxy-Authorization` from the user and password in a proxy URL, if it has any. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === '') return undefined;
  const user = decodeURIComponent(proxy.username);
  return `Basic ${basicCredentials(user, decodeURIComponent(proxy.password))}`;
}
