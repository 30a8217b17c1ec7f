/*
 * The time a program run under a file's lock may take (a credential store program, `docker login`). Kept apart
 * from run-program.ts, which is loaded lazily on paths that take no lock.
 */

/**
 * The longest a login or logout holds the lock on a Docker config whose registries a credential helper owns:
 * room for the helper's `get` (30 s at most), `docker login` (60 s) and the `get` that reads the result back
 * (30 s). Every program they run under the lock is stopped when the hold reaches it (see clients/client-logins.ts).
 */
export const LONGEST_HOLD_MS = 120_000;

/**
 * The time a program may run: its own limit, cut to what is left before `deadline`. `holdLimited` says the
 * deadline cut it, for the message.
 */
export function runLimit(
  timeoutMs: number,
  deadline: number | undefined,
): { ms: number; holdLimited: boolean } {
  const left = deadline === undefined ? Number.POSITIVE_INFINITY : Math.max(1, deadline - Date.now());
  return left < timeoutMs ? { ms: left, holdLimited: true } : { ms: timeoutMs, holdLimited: false };
}

/** Says why a run was cut short when the lock's hold, not the program's own limit, ended it. */
export function holdNote(limit: { ms: number; holdLimited: boolean }): string {
  return limit.holdLimited
    ? ` (what was left of the ${LONGEST_HOLD_MS / 1000} s a login may hold the Docker config's lock)`
    : '';
}
