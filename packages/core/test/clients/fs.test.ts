import { describe, expect, test } from 'vitest';
import { errnoOf, retryTransient } from '../../src/clients/fs.ts';

function failure(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: rename`), { code });
}

/** An operation that fails with `codes` in turn, then succeeds; and the sleeps taken between attempts. */
function flaky(codes: readonly string[]) {
  const sleeps: number[] = [];
  let calls = 0;
  const operation = async () => {
    const code = codes[calls++];
    if (code !== undefined) throw failure(code);
    return 'done';
  };
  return { operation, sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

describe('retryTransient: a file held open on Windows', () => {
  test.each<[string, NodeJS.Platform, readonly string[], string | undefined, readonly number[]]>([
    [
      'EBUSY, EPERM, EACCES on Windows: retried until it works',
      'win32',
      ['EBUSY', 'EPERM', 'EACCES'],
      undefined,
      [10, 20, 40],
    ],
    ['ENOENT on Windows: not transient, thrown at once', 'win32', ['ENOENT'], 'ENOENT', []],
    ['EPERM on Linux: a real permission error, thrown at once', 'linux', ['EPERM'], 'EPERM', []],
    ['EACCES on macOS: thrown at once', 'darwin', ['EACCES'], 'EACCES', []],
    [
      'held for good on Windows: given up after about 1.3 s',
      'win32',
      Array.from({ length: 20 }, () => 'EBUSY'),
      'EBUSY',
      [10, 20, 40, 80, 160, 320, 640],
    ],
  ])('%s', async (_name, platform, codes, thrown, sleeps) => {
    const run = flaky(codes);
    const outcome = await retryTransient(run.operation, { platform, sleep: run.sleep }).catch(errnoOf);
    expect(outcome).toBe(thrown ?? 'done');
    expect(run.sleeps).toEqual(sleeps);
  });
});
