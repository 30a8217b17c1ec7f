import * as promises from 'node:fs/promises';
import { symlink as makeLink, mkdtemp, readFile as readBack, writeFile as seed } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import * as ours from '../src/fs-async.ts';

type Fs = typeof ours;

/** What a call gave: its value (Stats as the fields a caller reads), or its error's code, syscall and message. */
async function outcome(run: () => Promise<unknown>, root: string): Promise<unknown> {
  try {
    const value = await run();
    if (value !== null && typeof value === 'object' && 'isFile' in value) {
      const stats = value as import('node:fs').Stats;
      return {
        file: stats.isFile(),
        dir: stats.isDirectory(),
        link: stats.isSymbolicLink(),
        mode: stats.mode,
      };
    }
    return typeof value === 'string' ? value.replaceAll(root, '<root>') : value;
  } catch (error) {
    const { code, syscall, message } = error as NodeJS.ErrnoException;
    return { code, syscall, message: message.replaceAll(root, '<root>') };
  }
}

/** A folder with a file, a subfolder and a link to the file, for each side alike. */
const roots: string[] = [];
afterAll(() => Promise.all(roots.map((root) => promises.rm(root, { recursive: true, force: true }))));

async function tree(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'acr-login-fs-'));
  roots.push(root);
  await seed(join(root, 'file'), 'text', { mode: 0o640 });
  await promises.mkdir(join(root, 'dir'));
  await makeLink(join(root, 'file'), join(root, 'link'));
  return root;
}

// Each call on the same tree through `node:fs/promises` and through fs-async: same value or same error.
const CALLS: [string, (fs: Fs, root: string) => Promise<unknown>][] = [
  ['readFile as text', (fs, root) => fs.readFile(join(root, 'file'), 'utf8')],
  ['readFile as bytes', (fs, root) => fs.readFile(join(root, 'file'))],
  ['readFile of a missing file', (fs, root) => fs.readFile(join(root, 'missing'), 'utf8')],
  ['readFile of a folder', (fs, root) => fs.readFile(join(root, 'dir'), 'utf8')],
  ['writeFile wx over a file', (fs, root) => fs.writeFile(join(root, 'file'), 'x', { flag: 'wx' })],
  ['lstat of a link', (fs, root) => fs.lstat(join(root, 'link'))],
  ['stat of a link', (fs, root) => fs.stat(join(root, 'link'))],
  ['stat of a missing file', (fs, root) => fs.stat(join(root, 'missing'))],
  ['readdir', async (fs, root) => (await fs.readdir(root)).sort()],
  ['readdir of a file', (fs, root) => fs.readdir(join(root, 'file'))],
  ['readlink', (fs, root) => fs.readlink(join(root, 'link'))],
  ['realpath through a link', (fs, root) => fs.realpath(join(root, 'link'))],
  ['realpath of a missing file', (fs, root) => fs.realpath(join(root, 'missing'))],
  ['mkdir recursive', (fs, root) => fs.mkdir(join(root, 'a', 'b'), { recursive: true, mode: 0o700 })],
  ['mkdir where a file is', (fs, root) => fs.mkdir(join(root, 'file'), { mode: 0o700 })],
  ['rm of a missing file, forced', (fs, root) => fs.rm(join(root, 'missing'), { force: true })],
  ['rm of a missing file', (fs, root) => fs.rm(join(root, 'missing'))],
  ['rm of a folder without recursive', (fs, root) => fs.rm(join(root, 'dir'))],
  ['rmdir of a file', (fs, root) => fs.rmdir(join(root, 'file'))],
  ['unlink of a missing file', (fs, root) => fs.unlink(join(root, 'missing'))],
  ['rename onto a folder', (fs, root) => fs.rename(join(root, 'file'), join(root, 'dir'))],
  ['chmod of a missing file', (fs, root) => fs.chmod(join(root, 'missing'), 0o600)],
  ['copyFile of a missing file', (fs, root) => fs.copyFile(join(root, 'missing'), join(root, 'copy'))],
  ['symlink over a file', (fs, root) => fs.symlink(join(root, 'dir'), join(root, 'file'), 'file')],
  ['open wx over a file', (fs, root) => fs.open(join(root, 'file'), 'wx', 0o600)],
];

describe('fs-async answers as node:fs/promises does', () => {
  test.each(CALLS)('%s', async (_, call) => {
    const [left, right] = [await tree(), await tree()];
    const expected = await outcome(() => call(promises as unknown as Fs, left), left);
    expect(await outcome(() => call(ours, right), right)).toEqual(expected);
  });

  test('a file opened, written, stamped and closed holds what a FileHandle would write', async () => {
    const [left, right] = [await tree(), await tree()];
    for (const [fs, root] of [
      [promises as unknown as Fs, left],
      [ours, right],
    ] as const) {
      const handle = await fs.open(join(root, 'new'), 'wx', 0o600);
      await handle.writeFile('hello world');
      await handle.write('J', 6);
      await handle.chmod(0o640);
      expect((await handle.stat()).size).toBe(11);
      await handle.close();
    }
    expect(await readBack(join(right, 'new'), 'utf8')).toBe('hello Jorld');
    expect(await readBack(join(right, 'new'), 'utf8')).toBe(await readBack(join(left, 'new'), 'utf8'));
    expect((await promises.stat(join(right, 'new'))).mode).toBe(
      (await promises.stat(join(left, 'new'))).mode,
    );
  });
});
