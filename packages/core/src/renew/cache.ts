import { join } from 'node:path';
import { readFile } from '../fs-async.ts';
import { hasFields } from '../util.ts';

/**
 * The per-registry answer cache: `<renewal dir>/cache/<server>.json`, 0600, written atomically by the renewal
 * agent whenever it obtains a credential, so that a `get` for a fresh one needs neither the agent nor the
 * identity. It holds a registry credential only (an ACR refresh token for one planned registry):
 *
 *     {"expiresOn":1764417600000,"renewAt":1764415800000,"renewAtUptime":5400,"username":"00000000-…","password":"<refresh token>"}
 *
 * `expiresOn` and `renewAt` are milliseconds since the epoch; from `renewAt` on, a reader must ask the agent.
 * `renewAtUptime` is the same moment in whole seconds of the system's uptime (`/proc/uptime`), rounded down:
 * the POSIX helper reads that file with a shell builtin instead of starting `date`.
 * The file name is the login server with `:` (a port) written as `_`, which no host name holds.
 */
export interface CachedCredential {
  readonly username: string;
  readonly password: string;
  readonly expiresOn: number;
  readonly renewAt: number;
}

export const CACHE_DIRECTORY = 'cache';

/** `contoso.azurecr.io` -> `contoso.azurecr.io.json`; `localhost:5000` -> `localhost_5000.json`. */
export function cacheFileName(server: string): string {
  return `${server.replaceAll(':', '_')}.json`;
}

export function cacheFile(dir: string, server: string): string {
  return join(dir, CACHE_DIRECTORY, cacheFileName(server));
}

/** The cached credential, or undefined when there is none (or it is unreadable: the agent is asked then). */
export async function readCached(dir: string, server: string): Promise<CachedCredential | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(cacheFile(dir, server), 'utf8'));
  } catch {
    return undefined;
  }
  if (!hasFields(value, { username: 'string', password: 'string', expiresOn: 'number', renewAt: 'number' })) {
    return undefined;
  }
  const { username, password, expiresOn, renewAt } = value;
  return { username, password, expiresOn, renewAt };
}
