import { readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { setStepHook } from '../../src/clients/fs.ts';
import { withLock } from '../../src/clients/lock.ts';
import { tempDir } from './support.ts';

afterEach(() => setStepHook(undefined));

/** The candidate directory a waiter has built next to the lock, found by its name. */
async function candidateOf(dir: string): Promise<string> {
  const name = (await readdir(dir)).find((entry) => /^config\.json\.lock\..+\.tmp$/.test(entry));
  if (name === undefined) throw new Error(`no candidate in ${dir}`);
  return join(dir, name);
}

describe('a candidate removed as abandoned while its owner still lives', () => {
  // Another holder removes candidates whose owner looks dead or old; the owner must notice and never hold an
  // empty lock, which anyone may take.
  test.each([
    [
      'emptied just before the rename',
      async (candidate: string) => unlink(join(candidate, (await readdir(candidate))[0] ?? '')),
    ],
    ['removed just before the rename', (candidate: string) => rm(candidate, { recursive: true })],
  ])('%s: the owner builds it again and takes a lock that holds its owner', async (_name, remove) => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    let removals = 0;
    setStepHook(async (step) => {
      if (step === 'lock:candidate-ready' && removals++ === 0) await remove(await candidateOf(dir));
    });
    const inside = await withLock(`${file}.lock`, { timeoutMs: 2_000, file }, async () =>
      readdir(`${file}.lock`),
    );
    expect(removals).toBe(2);
    expect(inside).toEqual([
      expect.stringMatching(new RegExp(`^${process.pid}\\.[0-9a-f]{12}\\.[0-9a-f]{24}$`)),
    ]);
    expect(await readdir(dir)).toEqual([]);
  });
});
