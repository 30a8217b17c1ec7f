import { spawnSync } from 'node:child_process';
import {
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { writeConfigAtomic } from '../../src/clients/config-file.ts';
import { setStepHook } from '../../src/clients/fs.ts';
import { LONGEST_HOLD_MS } from '../../src/clients/hold-limit.ts';
import { DEFAULT_LOCK_TIMEOUT_MS, withLock } from '../../src/clients/lock.ts';
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

/** The machine part of owner names written by this process, read off a lock it takes. */
async function thisMachineTag(dir: string): Promise<string> {
  const file = join(dir, 'probe.json');
  const [owner] = await withLock(`${file}.lock`, { timeoutMs: 1_000, file }, () => readdir(`${file}.lock`));
  const machine = owner?.split('.')[1];
  if (machine === undefined) throw new Error(`no owner in the lock: ${owner}`);
  return machine;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

const token = (digit: string) => digit.repeat(24);

describe('what a crash leaves with the directory lock: the next holder takes it at once and removes it', () => {
  test.each<[string, (lock: string, machine: string) => Promise<void>]>([
    ['an empty lock directory (its owner released and died before the rmdir)', (lock) => mkdir(lock)],
    [
      'a lock directory whose owner on this machine is dead',
      async (lock, machine) => {
        await mkdir(lock);
        await writeFile(join(lock, `${deadPid()}.${machine}.${token('a')}`), '{}');
      },
    ],
    [
      'an abandoned candidate holding its dead owner',
      async (lock, machine) => {
        const owner = `${deadPid()}.${machine}.${token('b')}`;
        await mkdir(`${lock}.${owner}.tmp`);
        await writeFile(join(`${lock}.${owner}.tmp`, owner), '{}');
      },
    ],
    [
      'an abandoned candidate its owner died before filling',
      (lock, machine) => mkdir(`${lock}.${deadPid()}.${machine}.${token('c')}.tmp`),
    ],
    [
      'all of them at once',
      async (lock, machine) => {
        await mkdir(lock);
        await writeFile(join(lock, `${deadPid()}.${machine}.${token('d')}`), '{}');
        const owner = `${deadPid()}.${machine}.${token('e')}`;
        await mkdir(`${lock}.${owner}.tmp`);
        await writeFile(join(`${lock}.${owner}.tmp`, owner), '{}');
      },
    ],
  ])('%s', async (_name, leave) => {
    const dir = await tempDir();
    const machine = await thisMachineTag(dir);
    const file = join(dir, 'config.json');
    await leave(`${file}.lock`, machine);
    const started = Date.now();
    const inside = await withLock(`${file}.lock`, { timeoutMs: 2_000, file }, async () =>
      (await readdir(dir)).sort(),
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(inside).toEqual(['config.json.lock']);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('staleness on the file system clock', () => {
  // A lock of another machine (or container) sharing the directory: only its heartbeat tells it lives.
  const foreign = `4242.000000000000.${token('f')}`;
  let restore = () => {};
  afterEach(() => restore());

  test.each([
    ['an hour ahead', 3_600_000],
    ['an hour behind', -3_600_000],
  ])(
    'with this clock %s, a fresh foreign lock is waited for and a 60 s old one is broken',
    async (_name, skew) => {
      const dir = await tempDir();
      const file = join(dir, 'config.json');
      const lock = `${file}.lock`;
      await mkdir(lock);
      await writeFile(join(lock, foreign), '{}');
      const now = Date.now;
      Date.now = () => now() + skew;
      restore = () => {
        Date.now = now;
      };

      await expect(withLock(lock, { timeoutMs: 300, file }, async () => {})).rejects.toMatchObject({
        code: 'CONFIG_LOCK_TIMEOUT',
        message: expect.stringContaining('process 4242 on another machine or container'),
      });
      expect(await readdir(lock)).toEqual([foreign]);

      // 60 s before the file system's own present, whatever this process's clock says.
      const fsNow = (await stat(lock)).mtimeMs;
      const old = new Date(fsNow - 60_000);
      await utimes(join(lock, foreign), old, old);
      expect(await withLock(lock, { timeoutMs: 2_000, file }, async () => readdir(lock))).not.toContain(
        foreign,
      );
      expect(await readdir(dir)).toEqual([]);
    },
  );
});

describe('the wait', () => {
  test('starts again when the lock changes hands: a queue of short holds never times a waiter out', async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    const lock = `${file}.lock`;
    await mkdir(lock);
    // Three holders in turn, each 400 ms, 1.2 s in all: each is within the waiter's 700 ms, the queue is not.
    let owner = join(lock, `4242.000000000000.${token('1')}`);
    await writeFile(owner, '{}');
    const queue = (async () => {
      for (const next of ['2', '3']) {
        await sleep(400);
        const following = join(lock, `4243.000000000000.${token(next)}`);
        await rename(owner, following);
        owner = following;
      }
      await sleep(400);
      // Released as lock.ts releases: once the owner file is gone the empty lock is free, so the waiter may
      // take it (ENOTEMPTY) or take and release it (ENOENT) before this rmdir.
      await unlink(owner);
      await rmdir(lock).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'ENOENT') throw error;
      });
    })();
    const started = Date.now();
    await withLock(lock, { timeoutMs: 700, file }, async () => {});
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_100);
    await queue;
    expect(await readdir(dir)).toEqual([]);
  });

  test('the default is longer than the longest hold (helper get, docker login, read-back)', () => {
    expect(LONGEST_HOLD_MS).toBeGreaterThanOrEqual(30_000 + 60_000 + 30_000);
    expect(DEFAULT_LOCK_TIMEOUT_MS).toBeGreaterThan(LONGEST_HOLD_MS);
  });
});

describe('a holder whose lock was taken from it', () => {
  test('does not rename its file into place, and says why', async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    await writeFile(file, '{"auths": {}}');
    const error = await withLock(`${file}.lock`, { timeoutMs: 1_000, file }, async () => {
      // Another process judged this holder abandoned and broke its lock.
      for (const name of await readdir(`${file}.lock`)) await unlink(join(`${file}.lock`, name));
      return writeConfigAtomic(file, { auths: { 'contoso.azurecr.io': { auth: 'dTpw' } } });
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'CONFIG_WRITE_FAILED',
      message: expect.stringContaining(`Did not replace "${file}": the lock "${file}.lock" was taken`),
    });
    expect(await readFile(file, 'utf8')).toBe('{"auths": {}}');
    expect(await readdir(dir)).toEqual(['config.json']);
  });
});
