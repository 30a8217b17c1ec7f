import { setTimeout as sleep } from 'node:timers/promises';
import { lstat } from '../fs-async.ts';

/** The errno code of a failed file-system call ("ENOENT"), or "unknown error". */
export function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
}

/** Whether `path` exists (a link counts, not its target); any error but ENOENT is thrown. */
export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw error;
  }
}

const TRANSIENT = new Set(['EPERM', 'EBUSY', 'EACCES']);
/** About 1.3 s in all: a Go client or a virus scanner holds a file for milliseconds, not seconds. */
const TRANSIENT_DELAYS_MS = [10, 20, 40, 80, 160, 320, 640];

export interface RetryOptions {
  readonly platform?: NodeJS.Platform;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Run a rename, unlink or exclusive create, retrying it briefly on Windows when it fails with EPERM, EBUSY or
 * EACCES: there a file that another process holds open without FILE_SHARE_DELETE (docker or another Go tool
 * reading config.json, an antivirus scan) cannot be replaced or removed for a moment. Elsewhere these codes
 * are real permission errors and fail at once.
 */
export async function retryTransient<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const platform = options.platform ?? process.platform;
  const wait = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const delay = TRANSIENT_DELAYS_MS[attempt];
      if (platform !== 'win32' || delay === undefined || !TRANSIENT.has(errnoOf(error))) throw error;
      await wait(delay);
    }
  }
}

/**
 * The points of the lock and write protocol where a process may die and leave files behind. The crash test
 * stops a writer at each of them and kills it there.
 */
export const STEPS = [
  'lock:candidate-created',
  'lock:candidate-ready',
  'lock:breaking',
  'lock:broken-owner',
  'lock:taken',
  'lock:leftovers-removed',
  'config:temp-created',
  'config:temp-written',
  'config:replaced',
  'lock:releasing',
  'lock:released-owner',
] as const;

export type Step = (typeof STEPS)[number];

let stepHook: ((step: Step) => Promise<void>) | undefined;

/** Install (or with `undefined`, remove) a hook awaited at each step: for tests that kill a writer there. */
export function setStepHook(hook: ((step: Step) => Promise<void>) | undefined): void {
  stepHook = hook;
}

export async function reachStep(step: Step): Promise<void> {
  if (stepHook !== undefined) await stepHook(step);
}

/** The locks this process holds, by lock path: the owner file that proves each is still ours. */
const held = new Map<string, string>();

export function markHeld(lockPath: string, ownerFile: string): void {
  held.set(lockPath, ownerFile);
}

export function forgetHeld(lockPath: string, ownerFile: string): void {
  if (held.get(lockPath) === ownerFile) held.delete(lockPath);
}

/**
 * Whether this process may still replace `file`: true unless it took `<file>.lock` and its owner file is gone
 * from it, which means another process judged the lock abandoned (this one was stopped for longer than a
 * heartbeat allows) and may be writing the file now.
 */
export async function stillHolds(file: string): Promise<boolean> {
  const ownerFile = held.get(`${file}.lock`);
  if (ownerFile === undefined) return true;
  return exists(ownerFile).catch(() => true);
}
