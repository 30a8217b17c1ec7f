import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { lstat, readdir, readFile, rm, rmdir, unlink } from '../fs-async.ts';
import { isTempOf } from './config-file.ts';
import { errnoOf, exists, reachStep } from './fs.ts';
import {
  ageMs,
  type FsClock,
  ownerGone,
  parseOwnerName,
  processAlive,
  STALE_LOCK_MS,
  thisMachine,
} from './lock-owner.ts';

/*
 * What stands at a lock's path (see lock.ts), and clearing what dead owners left there and beside it.
 */

/** An empty lock file of an earlier release (open 'wx', then write): its writer needed microseconds, not 0.5 s. */
const LEGACY_EMPTY_GRACE_MS = 500;

export type LockState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'held'; readonly owners: readonly string[] }
  | { readonly kind: 'legacy'; readonly text: string };

export async function lockState(lockPath: string): Promise<LockState> {
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
export function present(path: string): Promise<boolean> {
  return exists(path).catch(() => true);
}

/** Removal that counts as done when the path is gone, whoever removed it. */
async function removed(operation: Promise<unknown>): Promise<boolean> {
  return operation.then(
    () => true,
    (error: unknown) => errnoOf(error) === 'ENOENT',
  );
}

/** Break a held lock whose every owner is gone: unlink each owner file by its name, then rmdir the lock. */
async function breakHeld(lockPath: string, owners: readonly string[], clock: FsClock): Promise<boolean> {
  let broke = false;
  for (const name of owners) {
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

/**
 * Clear what a dead owner left at `lockPath`. True when the way may be free now; false when a live owner holds
 * the lock or the leftover cannot be removed (then the caller waits and in the end times out, naming the lock).
 */
export async function clearAbandoned(lockPath: string, state: LockState, clock: FsClock): Promise<boolean> {
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
    case 'held':
      return breakHeld(lockPath, state.owners, clock);
  }
}

export function describeHolder(state: LockState): string {
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

/** Who holds the lock, as far as a waiter can tell: its patience starts again when this changes. */
export function holderKey(state: LockState): string {
  switch (state.kind) {
    case 'held':
      return `held:${state.owners.join('/')}`;
    case 'legacy':
      return `legacy:${state.text}`;
    default:
      return state.kind;
  }
}

/** A dead owner's candidate `<lock>.<owner>.tmp` at `path`; one whose owner lives, or a stranger, stays. */
async function removeDeadCandidate(path: string, owner: string, clock: FsClock): Promise<void> {
  // A waiter keeps its owner file fresh; one that died before writing it is judged by the directory.
  const heartbeat = (await present(join(path, owner))) ? join(path, owner) : path;
  if (parseOwnerName(owner) !== undefined && (await ownerGone(owner, heartbeat, clock))) {
    await rm(path, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * Leftovers of writers that died: candidates of dead owners, temporary config files (only a lock holder writes
 * those, so under the lock every one is abandoned), and the break file of an earlier release.
 */
export async function removeLeftovers(lockPath: string, file: string, clock: FsClock): Promise<void> {
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
      await removeDeadCandidate(path, name.slice(candidatePrefix.length, -'.tmp'.length), clock);
    }
  }
}
