import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AcrLoginError } from '../errors.ts';
import { mkdir, rename, rmdir, writeFile } from '../fs-async.ts';
import { errnoOf, reachStep, retryTransient } from './fs.ts';
import { type FsClock, newOwnerName, ownerFileClock } from './lock-owner.ts';
import {
  clearAbandoned,
  describeHolder,
  holderKey,
  type LockState,
  lockState,
  present,
} from './lock-state.ts';

/*
 * Waiting for a lock (see lock.ts): build a candidate, rename it onto the lock, and between tries clear what dead
 * owners left, back off, and give up only on a holder that has held the lock longer than any work done under it.
 */

const MAX_TRANSIENT_FAILURES = 7;

export interface LockOptions {
  readonly timeoutMs: number;
  /** The credentials file, for messages. */
  readonly file: string;
}

/** One process's claim on a lock: its owner name, its candidate, and the clock its owner file keeps. */
export interface Claim {
  readonly lockPath: string;
  readonly ownerName: string;
  readonly text: string;
  readonly candidate: string;
  /** Our owner file once we hold the lock. */
  readonly ownerFile: string;
  readonly clock: FsClock;
  /** Whether we hold the lock: our owner file moves from the candidate into it. */
  taken: boolean;
}

export function newClaim(lockPath: string): Claim {
  const ownerName = newOwnerName();
  const text = `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`;
  const candidate = `${lockPath}.${ownerName}.tmp`;
  const ownerFile = join(lockPath, ownerName);
  const claim: Claim = {
    lockPath,
    ownerName,
    text,
    candidate,
    ownerFile,
    // Our owner file: in the candidate while we wait, in the lock once we hold it.
    clock: ownerFileClock(() => (claim.taken ? ownerFile : join(candidate, ownerName)), text),
    taken: false,
  };
  return claim;
}

export function cannotCreate(lockPath: string, options: LockOptions, error: unknown): AcrLoginError {
  return new AcrLoginError(
    'CONFIG_WRITE_FAILED',
    `Cannot create the lock "${lockPath}" (${errnoOf(error)}) next to "${options.file}". ` +
      'Make its directory writable by this user, or point the client at a file in a writable directory.',
    { cause: error, details: { file: options.file, errno: errnoOf(error) } },
  );
}

function timedOut(lockPath: string, options: LockOptions, state: LockState): AcrLoginError {
  return new AcrLoginError(
    'CONFIG_LOCK_TIMEOUT',
    `Timed out after ${options.timeoutMs} ms waiting for the lock "${lockPath}" on "${options.file}": ` +
      `${describeHolder(state)} and has not let go for longer than a login or logout takes. Run logins ` +
      'to one file one after another; if no login or logout is running, remove the lock and run again.',
    { details: { file: options.file, lock: lockPath } },
  );
}

export async function makeCandidate(claim: Claim): Promise<void> {
  await retryTransient(() => mkdir(claim.candidate, { mode: 0o700 }));
  await reachStep('lock:candidate-created');
  await writeFile(join(claim.candidate, claim.ownerName), claim.text, { mode: 0o600, flag: 'wx' });
  await reachStep('lock:candidate-ready');
}

type Attempt =
  | { readonly kind: 'taken' }
  | { readonly kind: 'again' }
  | { readonly kind: 'refused'; readonly failure: unknown };

/** One rename of our candidate onto the lock: taken, to try again at once, or refused (someone is in the way). */
async function tryTake(claim: Claim, options: LockOptions): Promise<Attempt> {
  let failure: unknown;
  try {
    await rename(claim.candidate, claim.lockPath);
  } catch (error) {
    failure = error;
  }
  if (failure === undefined) {
    if (await present(claim.ownerFile)) return { kind: 'taken' };
    // The candidate was emptied as abandoned just before the rename (we waited past STALE_LOCK_MS, or our
    // pid looked reused): what we renamed is an empty lock, which is free. Leave it and start again.
    await rmdir(claim.lockPath).catch(() => {});
  }
  if (failure !== undefined && errnoOf(failure) !== 'ENOENT') return { kind: 'refused', failure };
  // Our candidate was removed as abandoned: build it again.
  try {
    await makeCandidate(claim);
  } catch (error) {
    throw cannotCreate(claim.lockPath, options, error);
  }
  return { kind: 'again' };
}

/**
 * Wait until `claim` holds its lock. A waiter gives up only when one holder has held the lock longer than
 * `options.timeoutMs`: its patience starts again whenever the lock changes hands, so a queue of logins that each
 * hold it briefly all get through.
 */
export async function waitForLock(claim: Claim, options: LockOptions): Promise<void> {
  const { lockPath } = claim;
  let holder: string | undefined;
  let deadline = Date.now() + options.timeoutMs;
  let delay = 5;
  let transientFailures = 0;
  for (;;) {
    const attempt = await tryTake(claim, options);
    if (attempt.kind === 'taken') return;
    if (attempt.kind === 'again') continue;
    const state = await lockState(lockPath);
    if (state.kind === 'absent') {
      // Nothing in the way, yet the rename failed: a scanner holding the candidate open on Windows, or a real
      // permission problem. Retry the first briefly, give up on the second.
      if (++transientFailures > MAX_TRANSIENT_FAILURES)
        throw cannotCreate(lockPath, options, attempt.failure);
      await sleep(10 * 2 ** transientFailures);
      continue;
    }
    const key = holderKey(state);
    if (key !== holder) {
      // The lock changed hands: the queue moves, so wait for this holder as long as for the first.
      holder = key;
      deadline = Date.now() + options.timeoutMs;
    }
    if ((await clearAbandoned(lockPath, state, claim.clock)) && Date.now() < deadline) continue;
    if (Date.now() >= deadline) throw timedOut(lockPath, options, state);
    // Exponential backoff with jitter, so that twenty waiters do not retry in step.
    await sleep(Math.min(delay, Math.max(deadline - Date.now(), 1)) * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 200);
  }
}
