import { createHash, randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { lstat, open } from '../fs-async.ts';
import { errnoOf } from './fs.ts';

/*
 * Who owns a lock (see lock.ts) and whether they still live. An owner is named `<pid>.<machine>.<token>`, where
 * <machine> stands for the host name and the pid namespace in which the pid means something.
 *
 * Ages are read on the file system's clock: a process stamps its own owner file by writing to it (the file
 * system sets the mtime) and compares other files' mtimes with that stamp, so a holder whose clock is off (another
 * machine sharing the directory) is judged by the same clock that stamped its heartbeat.
 */

/** An owner we cannot ask (another machine or container) is presumed dead when its heartbeat stops this long. */
export const STALE_LOCK_MS = 30_000;

interface Owner {
  readonly pid: number;
  readonly machine: string;
}

let machineTag: string | undefined;

/** Where a pid means something: this host name, in this pid namespace (containers share host names rarely). */
export function thisMachine(): string {
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

/** A new owner name for this process: unique, so that removing a file by it never removes another's. */
export function newOwnerName(): string {
  return `${process.pid}.${thisMachine()}.${randomBytes(12).toString('hex')}`;
}

const OWNER_NAME = /^(\d+)\.([0-9a-f]{12})\.[0-9a-f]{24}$/;

export function parseOwnerName(name: string): Owner | undefined {
  const match = OWNER_NAME.exec(name);
  return match === null ? undefined : { pid: Number(match[1]), machine: match[2] ?? '' };
}

export function processAlive(pid: number): boolean {
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
export interface FsClock {
  now(): Promise<number | undefined>;
  stamp(): Promise<number | undefined>;
}

/** How long a stamp serves before `now()` writes again: waiters poll often, and a write may cross a network. */
const STAMP_REUSE_MS = 5_000;

export function ownerFileClock(path: () => string, text: string): FsClock {
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
export async function ageMs(path: string, clock: FsClock): Promise<number> {
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
export async function ownerGone(name: string, heartbeat: string, clock: FsClock): Promise<boolean> {
  const owner = parseOwnerName(name);
  if (owner !== undefined && owner.machine === thisMachine() && !processAlive(owner.pid)) return true;
  return (await ageMs(heartbeat, clock)) > STALE_LOCK_MS;
}
