import { uptime } from 'node:os';
import { writeFileAtomic } from '../clients/config-file.ts';
import { type CachedCredential, cacheFile } from './cache.ts';

/*
 * Writing the cache is the renewal agent's and the helper's set-up's. It lives apart from cache.ts so that the
 * credential helper, which only reads the cache, loads neither `node:crypto` (for the temporary file's name)
 * nor `node:os`: 5-6 ms on Node 20 and 14 ms on Node 24 of every `get` that starts Node (A/B runs).
 */

/** A reader sees the old or the new credential, never half of one; created 0600. */
export async function writeCached(dir: string, server: string, credential: CachedCredential): Promise<void> {
  const { username, password, expiresOn, renewAt } = credential;
  // Rounded down, so a reader never takes a due credential for a fresh one; never negative.
  const renewAtUptime = Math.max(0, Math.floor(uptime() + (renewAt - Date.now()) / 1000));
  await writeFileAtomic(
    cacheFile(dir, server),
    // The password (about 1.4 kB) last: the POSIX helper finds each field with a shortest-prefix match, whose
    // cost grows with the square of the field's offset.
    JSON.stringify({ expiresOn, renewAt, renewAtUptime, username, password }),
  );
}
