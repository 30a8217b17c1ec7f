import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { writeClientLogins } from '../../src/clients/client-logins.ts';
import { STEPS, type Step } from '../../src/clients/fs.ts';
import { STALE_LOCK_MS } from '../../src/clients/lock.ts';
import { removeClientLogins } from '../../src/clients/remove-client-logins.ts';
import { nullLogger } from '../../src/types.ts';
import { FIXTURES, startWorker, tempDir } from './support.ts';

/**
 * A dead writer's lock is broken at once, not once it goes stale (STALE_LOCK_MS, 30 s). The next writer
 * gets a third of that: a writer that waited for staleness fails, and a busy machine still has margin
 * (22 cases spawn tsx workers; 2 s was seen to be tight).
 */
const NEXT_WRITER_TIMEOUT_MS = STALE_LOCK_MS / 3;
const BREAKING: readonly Step[] = ['lock:breaking', 'lock:broken-owner'];

interface Setup {
  readonly configDir: string;
  readonly file: string;
  readonly original: Record<string, unknown>;
  readonly env: Record<string, string>;
}

async function setup(): Promise<Setup> {
  const dir = await tempDir();
  const configDir = join(dir, 'docker');
  await mkdir(configDir);
  const file = join(configDir, 'config.json');
  await copyFile(join(FIXTURES, 'docker-config.txt'), file);
  const original = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  return { configDir, file, original, env: { DOCKER_CONFIG: configDir } };
}

/** Run a worker until it stops at `step`, then SIGKILL it there. */
async function killAt(step: Step, args: readonly string[]): Promise<void> {
  const worker = startWorker([...args, step]);
  await worker.ready;
  worker.child.stdin.end('go\n');
  expect(await worker.paused).toBe(step);
  worker.child.kill('SIGKILL');
  expect((await worker.exit).code).not.toBe(0);
}

async function auths(file: string): Promise<Record<string, unknown>> {
  return (JSON.parse(await readFile(file, 'utf8')) as { auths: Record<string, unknown> }).auths;
}

const killedServer = 'killed.azurecr.io';
const nextLogin = { loginServer: 'next.azurecr.io', username: 'next', password: 'secret-of-next' };
/** What a writer killed at each step leaves in the config directory besides config.json. */
const LEFT_BEHIND: Readonly<Record<Step, readonly string[]>> = {
  'lock:candidate-created': ['candidate'],
  'lock:candidate-ready': ['candidate'],
  'lock:breaking': ['candidate', 'lock'],
  'lock:broken-owner': ['candidate', 'lock'],
  'lock:taken': ['lock'],
  'lock:leftovers-removed': ['lock'],
  'config:temp-created': ['lock', 'temp'],
  'config:temp-written': ['lock', 'temp'],
  'config:replaced': ['lock'],
  'lock:releasing': ['lock'],
  'lock:released-owner': ['lock'],
};

function kinds(names: readonly string[]): string[] {
  return names
    .filter((name) => name !== 'config.json')
    .map((name) => {
      if (name === 'config.json.lock') return 'lock';
      if (/^config\.json\.lock\..+\.tmp$/.test(name)) return 'candidate';
      if (/^\.config\.json\.[0-9a-f]{12}\.tmp$/.test(name)) return 'temp';
      return name;
    })
    .sort();
}

/** Steps after which the killed writer's change is in the file: the rename of the config happened. */
const landed = (step: Step) => STEPS.indexOf(step) >= STEPS.indexOf('config:replaced');

describe('a writer killed at any step of the lock and write protocol', () => {
  test.each(STEPS.flatMap((step) => (['login', 'logout'] as const).map((mode) => [mode, step] as const)))(
    '%s killed at %s: the next login and logout do not wait for the lock to go stale, and no file is left',
    { timeout: 60_000 },
    async (mode, step) => {
      const { configDir, file, original, env } = await setup();
      const stateFile = join(configDir, '..', 'state.json');
      if (mode === 'logout') {
        const { entries } = await writeClientLogins(
          ['docker'],
          [{ loginServer: killedServer, username: 'worker', password: `secret-of-${killedServer}` }],
          { env, logger: nullLogger },
        );
        await writeFile(stateFile, JSON.stringify(entries));
      }
      // Breaking a lock needs a dead owner first: a writer killed while it holds the lock.
      if (BREAKING.includes(step)) {
        await killAt('lock:taken', ['login', configDir, 'first.azurecr.io', stateFile]);
      }
      await killAt(step, [mode, configDir, killedServer, stateFile]);
      expect(kinds(await readdir(configDir))).toEqual(LEFT_BEHIND[step]);

      const options = { env, logger: nullLogger, lockTimeoutMs: NEXT_WRITER_TIMEOUT_MS };
      const { entries } = await writeClientLogins(['docker'], [nextLogin], options);
      // Whatever the killed writer left (lock, candidate, temporary file) is gone after the next login.
      expect(await readdir(configDir)).toEqual(['config.json']);
      const killedEntryPresent = mode === 'login' ? landed(step) : !landed(step);
      expect(await auths(file)).toEqual({
        ...(original.auths as Record<string, unknown>),
        ...(killedEntryPresent
          ? { [killedServer]: { auth: Buffer.from(`worker:secret-of-${killedServer}`).toString('base64') } }
          : {}),
        [nextLogin.loginServer]: { auth: Buffer.from('next:secret-of-next').toString('base64') },
      });

      expect(await removeClientLogins(entries, options)).toEqual({ restored: 0, removed: 1, skipped: [] });
      expect(Object.keys(await auths(file))).not.toContain(nextLogin.loginServer);
      expect(await readdir(configDir)).toEqual(['config.json']);
    },
  );
});
