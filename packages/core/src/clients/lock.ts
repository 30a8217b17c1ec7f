import { rm, rmdir, unlink } from '../fs-async.ts';
import { forgetHeld, markHeld, reachStep, retryTransient } from './fs.ts';
import { LONGEST_HOLD_MS } from './hold-limit.ts';
import { STALE_LOCK_MS } from './lock-owner.ts';
import { removeLeftovers } from './lock-state.ts';
import {
  type Claim,
  cannotCreate,
  type LockOptions,
  makeCandidate,
  newClaim,
  waitForLock,
} from './lock-wait.ts';

export { STALE_LOCK_MS } from './lock-owner.ts';

/*
 * The lock on `<file>` is a directory, `<file>.lock`, holding one file named after its owner:
 * `<pid>.<machine>.<token>` (lock-owner.ts).
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
 * (Windows does not let rename replace a directory). See lock-state.ts.
 *
 * A waiter gives up only when one holder has held the lock longer than any work done under it: its patience
 * starts again whenever the lock changes hands, so a queue of logins that each hold it briefly all get through
 * (lock-wait.ts).
 */

/** How long a waiter waits for one holder: longer than any hold, so a live holder is never given up on. */
export const DEFAULT_LOCK_TIMEOUT_MS = LONGEST_HOLD_MS + STALE_LOCK_MS;

/** Our candidate, built before we wait; a failure leaves nothing behind. */
async function firstCandidate(claim: Claim, options: LockOptions): Promise<void> {
  try {
    await makeCandidate(claim);
  } catch (error) {
    await rm(claim.candidate, { recursive: true, force: true }).catch(() => {});
    throw cannotCreate(claim.lockPath, options, error);
  }
}

async function release(claim: Claim): Promise<void> {
  forgetHeld(claim.lockPath, claim.ownerFile);
  await reachStep('lock:releasing');
  // By name: if the lock was broken as abandoned (we were stopped for long), another holder's lock stays.
  await retryTransient(() => unlink(claim.ownerFile)).catch(() => {});
  await reachStep('lock:released-owner');
  await retryTransient(() => rmdir(claim.lockPath)).catch(() => {});
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
  const claim = newClaim(lockPath);
  await firstCandidate(claim, options);
  // A waiter or holder must not look abandoned to another machine while it lives: keep its owner file fresh.
  const heartbeat = setInterval(() => void claim.clock.stamp(), STALE_LOCK_MS / 3);
  heartbeat.unref();
  try {
    await waitForLock(claim, options);
    claim.taken = true;
    markHeld(lockPath, claim.ownerFile);
    await reachStep('lock:taken');
    await removeLeftovers(lockPath, options.file, claim.clock);
    await reachStep('lock:leftovers-removed');
    return await action();
  } finally {
    clearInterval(heartbeat);
    if (claim.taken) await release(claim);
    else await rm(claim.candidate, { recursive: true, force: true }).catch(() => {});
  }
}
