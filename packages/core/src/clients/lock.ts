import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { AcrLoginError } from '../errors.ts';

/** A lock older than this is abandoned: holders keep it for milliseconds (read, merge, rename). */
export const STALE_LOCK_MS = 30_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function parseOwner(text: string): Owner | undefined {
  try {
    const value = JSON.parse(text) as Partial<Owner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') {
      return { pid: value.pid, host: value.host, token: value.token };
    }
  } catch {
    // A lock being written right now is empty: judged by its age alone.
  }
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errno(error) !== 'ESRCH';
  }
}

async function isStale(lockPath: string, text: string): Promise<boolean> {
  const owner = parseOwner(text);
  // A pid only means something on the host that wrote it (the file may be on a shared volume).
  if (
    owner !== undefined &&
    owner.host === hostname() &&
    owner.pid !== process.pid &&
    !processAlive(owner.pid)
  ) {
    return true;
  }
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false;
  }
}

/**
 * Break a stale lock without ever deleting a fresh one: two waiters may judge the same lock stale, and the
 * slower one must not remove the lock the faster one has taken since. Breaking happens under a second
 * O_EXCL file, and only a lock that still holds the stale text is removed. Returns whether it removed one;
 * when it did not (another waiter is breaking it, or the directory is not ours to change) the caller waits.
 */
async function breakStaleLock(lockPath: string, staleText: string): Promise<boolean> {
  const breaker = `${lockPath}.break`;
  try {
    await (await open(breaker, 'wx', 0o600)).close();
  } catch {
    // A breaker left by a process that died while breaking would block every waiter: clear an old one.
    const age = await stat(breaker)
      .then((s) => Date.now() - s.mtimeMs)
      .catch(() => 0);
    if (age > STALE_LOCK_MS) await unlink(breaker).catch(() => {});
    return false;
  }
  try {
    const current = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (current !== staleText) return false;
    await unlink(lockPath);
    return true;
  } catch {
    return false;
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

export interface LockOptions {
  readonly timeoutMs: number;
  /** The credentials file, for messages. */
  readonly file: string;
}

/**
 * Run `action` holding `<file>.lock`, created with O_EXCL so that only one process (of ours, or another
 * acr-login run on the same runner) edits a credentials file at a time.
 */
export async function withLock<T>(
  lockPath: string,
  options: LockOptions,
  action: () => Promise<T>,
): Promise<T> {
  const owner: Owner = { pid: process.pid, host: hostname(), token: randomBytes(12).toString('hex') };
  const text = JSON.stringify(owner);
  const deadline = Date.now() + options.timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(text);
      } catch (error) {
        await handle.close();
        await unlink(lockPath).catch(() => {});
        throw error;
      }
      await handle.close();
      break;
    } catch (error) {
      if (errno(error) !== 'EEXIST') {
        throw new AcrLoginError(
          'CONFIG_WRITE_FAILED',
          `Cannot create the lock file "${lockPath}" (${errno(error) ?? 'unknown error'}) next to "${options.file}". ` +
            'Make its directory writable by this user, or point the client at a file in a writable directory.',
          { cause: error, details: { file: options.file, errno: errno(error) ?? '' } },
        );
      }
    }
    const current = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (
      current !== undefined &&
      (await isStale(lockPath, current)) &&
      (await breakStaleLock(lockPath, current))
    ) {
      continue;
    }
    if (Date.now() >= deadline) {
      throw new AcrLoginError(
        'CONFIG_LOCK_TIMEOUT',
        `Timed out after ${options.timeoutMs} ms waiting for the lock "${lockPath}" on "${options.file}": ` +
          'another process is editing the file. If no other login is running, delete the lock file and run again.',
        { details: { file: options.file, lock: lockPath } },
      );
    }
    // Exponential backoff with jitter, so that twenty waiters do not retry in step.
    await sleep(Math.min(delay, Math.max(deadline - Date.now(), 1)) * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 200);
  }
  // A holder waiting on a slow `docker login` must not look abandoned: keep the lock's mtime fresh.
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => {});
  }, STALE_LOCK_MS / 3);
  heartbeat.unref();
  try {
    return await action();
  } finally {
    clearInterval(heartbeat);
    // Remove the lock only if it is still ours (it may have been broken as stale if we were very slow).
    const current = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (current === text) await unlink(lockPath).catch(() => {});
  }
}
