import { createHash, randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import {
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AcrLoginError } from '../errors.ts';
import { isTempOf } from './config-file.ts';
import { errnoOf, exists, forgetHeld, markHeld, reachStep, retryTransient } from './fs.ts';

/*
 * The lock on `<file>` is a directory, `<file>.lock`, holding one file named after its owner:
 * `<pid>.<machine>.<token>`, where <machine> stands for the host name and the pid namespace in which the pid
 * means something.
 *
 * Taking it: build a candidate directory `<file>.lock.<owner>.tmp` with the owner file inside, then rename the
 * candidate to `<file>.lock`. Renaming a directory onto a directory that has entries fails, so the lock never
 * exists without its owner: a process killed at any instant leaves either a candidate (ignored by everyone,
 * removed by the next holder) or a lock whose owner can be judged. After the rename the owner checks that its
 * file is inside: a candidate emptied as abandoned just before the rename would have made an empty lock.
 *
 * Breaking a dead owner's lock: unlink the owner file by its name, then rmdir the lock. Both undo nothing but
 * what was judged (a name is unique; rmdir removes only an empty directory), so breakers need no lock of their
 * own and can never remove a lock that was taken since. An empty lock directory (its owner released or was
 * broken and the process died before the rmdir) is free: rename replaces it on POSIX, and anyone may rmdir it
 * (Windows does not let rename replace a directory).
 *
 * Ages are read on the file system's clock: a process stamps its own owner file by writing to it (the file
 * system sets the mtime) and compares other files' mtimes with that stamp, so a holder whose clock is off (another
 * machine sharing the directory) is judged by the same clock that stamped its heartbeat.
 *
 * A waiter gives up only when one holder has held the lock longer than any work done under it: its patience
 * starts again whenever the lock changes hands, so a queue of logins that each hold it briefly all get through.
 */

/** An owner we cannot ask (another machine or container) is presumed dead when its heartbeat stops this long. */
export const STALE_LOCK_MS = 30_000;
/**
 * The longest a login or logout holds the lock on a Docker config whose registries a credential helper owns:
 * room for the helper's `get` (30 s at most), `docker login` (60 s) and the `get` that reads the result back
 * (30 s). Every program they run under the lock is stopped when the hold reaches it (see clients/client-logins.ts).
 */
export const LONGEST_HOLD_MS = 120_000;
/** How long a waiter waits for one holder: longer than any hold, so a live holder is never given up on. */
export const DEFAULT_LOCK_TIMEOUT_MS = LONGEST_HOLD_MS + STALE_LOCK_MS;
/** An empty lock file of an earlier release (open 'wx', then write): its writer needed microseconds, not 0.5 s. */
const LEGACY_EMPTY_GRACE_MS = 500;
const MAX_TRANSIENT_FAILURES = 7;

interface Owner {
  readonly pid: number;
  readonly machine: string;
}

let machineTag: string | undefined;

/** Where a pid means something: this host name, in this pid namespace (containers share host names rarely). */
function thisMachine(): string {
  if (machineTag === undefined) {
    let namespace = '';
    try {
      namespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      // Not Linux: the host name alone.
    }
    machineTag = createHash('sha256').update(`${hostname()}\n${namespace}`).digest('hex').slice(0, 12);
  }
  return machineTag;
}

const OWNER_NAME = /^(\d+)\.([0-9a-f]{12})\.[0-9a-f]{24}$/;

function parseOwnerName(name: string): Owner | undefined {
  const match = OWNER_NAME.exec(name);
  return match === null ? undefined : { pid: Number(match[1]), machine: match[2] ?? '' };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errnoOf(error) !== 'ESRCH';
  }
}

/**
 * The file system's present time, read off our own owner file: writing to it makes the file system stamp its
 * mtime (utimes would stamp ours). Writing also keeps the file fresh for others: it is the heartbeat. 'r+' never
 * creates the file, so a lock broken as abandoned does not get our owner back into it. Between stamps, the time
 * since the last one is added on this process's monotonic clock: only the offset between clocks needs the file.
 */
interface FsClock {
  now(): Promise<number | undefined>;
  stamp(): Promise<number | undefined>;
}

/** How long a stamp serves before `now()` writes again: waiters poll often, and a write may cross a network. */
const STAMP_REUSE_MS = 5_000;

function ownerFileClock(path: () => string, text: string): FsClock {
  let last: { readonly fs: number; readonly local: number } | undefined;
  async function stamp(): Promise<number | undefined> {
    try {
      const handle = await open(path(), 'r+');
      try {
        await handle.write(text, 0);
        const fs = (await handle.stat()).mtimeMs;
        last = { fs, local: performance.now() };
        return fs;
      } finally {
        await handle.close();
      }
    } catch {
      // Ours was removed as abandoned: the caller builds it again, and judges nobody by age meanwhile.
      return undefined;
    }
  }
  return {
    stamp,
    async now() {
      if (last !== undefined && performance.now() - last.local < STAMP_REUSE_MS) {
        return last.fs + (performance.now() - last.local);
      }
      return stamp();
    },
  };
}

/** How long ago `path` was last written, on the file system's clock; 0 when either cannot be read. */
async function ageMs(path: string, clock: FsClock): Promise<number> {
  let mtime: number;
  try {
    mtime = (await lstat(path)).mtimeMs;
  } catch {
    return 0;
  }
  const now = await clock.now();
  return now === undefined ? 0 : now - mtime;
}

/**
 * Whether the owner named `name` (of a lock or a candidate at `path`, its owner file at `heartbeat`) is gone: a
 * dead process on this machine at once; an owner we cannot ask once its heartbeat has stopped (which also covers
 * a reused pid).
 */
async function ownerGone(name: string, heartbeat: string, clock: FsClock): Promise<boolean> {
  const owner = parseOwnerName(name);
  if (owner !== undefined && owner.machine === thisMachine() && !processAlive(owner.pid)) return true;
  return (await ageMs(heartbeat, clock)) > STALE_LOCK_MS;
}

type LockState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'held'; readonly owners: readonly string[] }
  | { readonly kind: 'legacy'; readonly text: string };

async function lockState(lockPath: string): Promise<LockState> {
  try {
    if ((await lstat(lockPath)).isDirectory()) {
      const owners = await readdir(lockPath);
      return owners.length === 0 ? { kind: 'empty' } : { kind: 'held', owners };
    }
    return { kind: 'legacy', text: await readFile(lockPath, 'utf8') };
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { kind: 'absent' };
    // Changing under us (ENOTDIR, EISDIR): look again on the next round.
    return { kind: 'held', owners: [] };
  }
}

/** A lock file written by an earlier release: `{"pid", "host", "token"}`, or empty if its writer died early. */
async function legacyGone(lockPath: string, text: string, clock: FsClock): Promise<boolean> {
  let owner: { pid?: unknown; host?: unknown } | undefined;
  try {
    owner = JSON.parse(text) as { pid?: unknown; host?: unknown };
  } catch {
    owner = undefined;
  }
  if (typeof owner?.pid === 'number' && owner.host === hostname() && !processAlive(owner.pid)) return true;
  const age = await ageMs(lockPath, clock);
  return owner === undefined ? age > LEGACY_EMPTY_GRACE_MS : age > STALE_LOCK_MS;
}

/** Whether `path` exists; only ENOENT says no (a transient error on Windows is not taken for absence). */
function present(path: string): Promise<boolean> {
  return exists(path).catch(() => true);
}

/** Removal that counts as done when the path is gone, whoever removed it. */
async function removed(operation: Promise<unknown>): Promise<boolean> {
  return operation.then(
    () => true,
    (error: unknown) => errnoOf(error) === 'ENOENT',
  );
}

/**
 * Clear what a dead owner left at `lockPath`. True when the way may be free now; false when a live owner holds
 * the lock or the leftover cannot be removed (then the caller waits and in the end times out, naming the lock).
 */
async function clearAbandoned(lockPath: string, state: LockState, clock: FsClock): Promise<boolean> {
  switch (state.kind) {
    case 'absent':
      return true;
    case 'empty':
      // Someone may have replaced it with a held lock since: rmdir then fails with ENOTEMPTY, rightly.
      return rmdir(lockPath).then(
        () => true,
        (error: unknown) => ['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes(errnoOf(error)),
      );
    case 'legacy':
      // unlink cannot remove a directory, so this never removes a lock of this release taken since.
      return (await legacyGone(lockPath, state.text, clock)) && (await removed(unlink(lockPath)));
    case 'held': {
      let broke = false;
      for (const name of state.owners) {
        const path = join(lockPath, name);
        if (!(await ownerGone(name, path, clock))) return false;
        await reachStep('lock:breaking');
        if (!(await removed(unlink(path)))) return false;
        broke = true;
      }
      if (!broke) return false;
      await reachStep('lock:broken-owner');
      await rmdir(lockPath).catch(() => {});
      return true;
    }
  }
}

function describeHolder(state: LockState): string {
  if (state.kind === 'held') {
    const owner = state.owners.map(parseOwnerName).find((found) => found !== undefined);
    if (owner !== undefined) {
      return owner.machine === thisMachine()
        ? `process ${owner.pid} on this machine holds it`
        : `process ${owner.pid} on another machine or container that shares this directory holds it`;
    }
  }
  return 'another process holds it';
}

/**
 * Leftovers of writers that died: candidates of dead owners, temporary config files (only a lock holder writes
 * those, so under the lock every one is abandoned), and the break file of an earlier release.
 */
async function removeLeftovers(lockPath: string, file: string, clock: FsClock): Promise<void> {
  const dir = dirname(lockPath);
  const candidatePrefix = `${basename(lockPath)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (isTempOf(file, name) || name === `${basename(lockPath)}.break`) {
      await unlink(path).catch(() => {});
    } else if (name.startsWith(candidatePrefix) && name.endsWith('.tmp')) {
      const owner = name.slice(candidatePrefix.length, -'.tmp'.length);
      // A waiter keeps its owner file fresh; one that died before writing it is judged by the directory.
      const heartbeat = (await present(join(path, owner))) ? join(path, owner) : path;
      if (parseOwnerName(owner) !== undefined && (await ownerGone(owner, heartbeat, clock))) {
        await rm(path, { recursive: true, force: true }).catch(() => {});
      }
    }
  }
}

export interface LockOptions {
  readonly timeoutMs: number;
  /** The credentials file, for messages. */
  readonly file: string;
}

function cannotCreate(lockPath: string, options: LockOptions, error: unknown): AcrLoginError {
  return new AcrLoginError(
    'CONFIG_WRITE_FAILED',
    `Cannot create the lock "${lockPath}" (${errnoOf(error)}) next to "${options.file}". ` +
      'Make its directory writable by this user, or point the client at a file in a writable directory.',
    { cause: error, details: { file: options.file, errno: errnoOf(error) } },
  );
}

async function makeCandidate(candidate: string, ownerName: string, text: string): Promise<void> {
  await retryTransient(() => mkdir(candidate, { mode: 0o700 }));
  await reachStep('lock:candidate-created');
  await writeFile(join(candidate, ownerName), text, { mode: 0o600, flag: 'wx' });
  await reachStep('lock:candidate-ready');
}

/** Who holds the lock, as far as a waiter can tell: its patience starts again when this changes. */
function holderKey(state: LockState): string {
  switch (state.kind) {
    case 'held':
      return `held:${state.owners.join('/')}`;
    case 'legacy':
      return `legacy:${state.text}`;
    default:
      return state.kind;
  }
}

/**
 * Run `action` holding `<file>.lock`, so that only one process (of ours, or another acr-login run on the same
 * runner) edits a credentials file at a time. `options.timeoutMs` is how long to wait for one holder.
 */
export async function withLock<T>(
  lockPath: string,
  options: LockOptions,
  action: () => Promise<T>,
): Promise<T> {
  const ownerName = `${process.pid}.${thisMachine()}.${randomBytes(12).toString('hex')}`;
  const text = `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`;
  const candidate = `${lockPath}.${ownerName}.tmp`;
  const ownerFile = join(lockPath, ownerName);
  // Our owner file: in the candidate while we wait, in the lock once we hold it.
  let ours = join(candidate, ownerName);
  const clock = ownerFileClock(() => ours, text);
  let holder: string | undefined;
  let deadline = Date.now() + options.timeoutMs;
  let delay = 5;
  let transientFailures = 0;
  try {
    await makeCandidate(candidate, ownerName, text);
  } catch (error) {
    await rm(candidate, { recursive: true, force: true }).catch(() => {});
    throw cannotCreate(lockPath, options, error);
  }
  // A waiter or holder must not look abandoned to another machine while it lives: keep its owner file fresh.
  const heartbeat = setInterval(() => void clock.stamp(), STALE_LOCK_MS / 3);
  heartbeat.unref();
  let taken = false;
  try {
    for (;;) {
      let failure: unknown;
      try {
        await rename(candidate, lockPath);
      } catch (error) {
        failure = error;
      }
      if (failure === undefined) {
        if (await present(ownerFile)) break;
        // The candidate was emptied as abandoned just before the rename (we waited past STALE_LOCK_MS, or our
        // pid looked reused): what we renamed is an empty lock, which is free. Leave it and start again.
        await rmdir(lockPath).catch(() => {});
      }
      if (failure === undefined || errnoOf(failure) === 'ENOENT') {
        // Our candidate was removed as abandoned: build it again.
        try {
          await makeCandidate(candidate, ownerName, text);
        } catch (error) {
          throw cannotCreate(lockPath, options, error);
        }
        continue;
      }
      const state = await lockState(lockPath);
      if (state.kind === 'absent') {
        // Nothing in the way, yet the rename failed: a scanner holding the candidate open on Windows, or a real
        // permission problem. Retry the first briefly, give up on the second.
        if (++transientFailures > MAX_TRANSIENT_FAILURES) throw cannotCreate(lockPath, options, failure);
        await sleep(10 * 2 ** transientFailures);
        continue;
      }
      const key = holderKey(state);
      if (key !== holder) {
        // The lock changed hands: the queue moves, so wait for this holder as long as for the first.
        holder = key;
        deadline = Date.now() + options.timeoutMs;
      }
      if ((await clearAbandoned(lockPath, state, clock)) && Date.now() < deadline) continue;
      if (Date.now() >= deadline) {
        throw new AcrLoginError(
          'CONFIG_LOCK_TIMEOUT',
          `Timed out after ${options.timeoutMs} ms waiting for the lock "${lockPath}" on "${options.file}": ` +
            `${describeHolder(state)} and has not let go for longer than a login or logout takes. Run logins ` +
            'to one file one after another; if no login or logout is running, remove the lock and run again.',
          { details: { file: options.file, lock: lockPath } },
        );
      }
      // Exponential backoff with jitter, so that twenty waiters do not retry in step.
      await sleep(Math.min(delay, Math.max(deadline - Date.now(), 1)) * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 200);
    }
    taken = true;
    ours = ownerFile;
    markHeld(lockPath, ownerFile);
    await reachStep('lock:taken');
    await removeLeftovers(lockPath, options.file, clock);
    await reachStep('lock:leftovers-removed');
    return await action();
  } finally {
    clearInterval(heartbeat);
    if (taken) {
      forgetHeld(lockPath, ownerFile);
      await reachStep('lock:releasing');
      // By name: if the lock was broken as abandoned (we were stopped for long), another holder's lock stays.
      await retryTransient(() => unlink(ownerFile)).catch(() => {});
      await reachStep('lock:released-owner');
      await retryTransient(() => rmdir(lockPath)).catch(() => {});
    } else {
      await rm(candidate, { recursive: true, force: true }).catch(() => {});
    }
  }
}
