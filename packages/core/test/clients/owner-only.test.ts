import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isolateClientFiles } from '../../src/clients/isolate.ts';
import { type CommandRunner, restrictToOwner } from '../../src/clients/owner-only.ts';
import { writePullSecret } from '../../src/clients/pull-secret.ts';
import { AcrLoginError } from '../../src/errors.ts';
import { cacheFile } from '../../src/renew/index.ts';
import { writeRenewalFiles } from '../../src/renew/shim.ts';
import { serversFor } from '../renew/support.ts';
import { tempDir } from './support.ts';

/** Windows cannot run here: the platform and icacls are injected, and each call is recorded. */
function icacls(answer: Awaited<ReturnType<CommandRunner>> | Error = { code: 0, stdout: '', stderr: '' }) {
  const calls: { program: string; args: readonly string[]; existed: Record<string, boolean> }[] = [];
  let watch: readonly string[] = [];
  const runCommand: CommandRunner = async (program, args) => {
    calls.push({ program, args, existed: Object.fromEntries(watch.map((path) => [path, existsSync(path)])) });
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { calls, runCommand, watching: (paths: readonly string[]) => (watch = paths) };
}

const HELPER = 'acr-login-0badcafe';
const CACHE = Object.fromEntries(
  Object.entries(serversFor(['contoso.azurecr.io'])).map(([server, token]) => [
    server,
    { ...token, renewAt: token.expiresOn - 1_800_000 },
  ]),
);

const ENV = { USERNAME: 'runner', USERDOMAIN: 'CONTOSO', SystemRoot: 'D:\\Windows' };

describe('restrictToOwner', () => {
  test.each<[string, NodeJS.Platform, 'folder' | 'file', Record<string, string>, string[] | undefined]>([
    ['linux: the modes given at creation do it', 'linux', 'folder', ENV, undefined],
    ['macOS likewise', 'darwin', 'file', ENV, undefined],
    ['a Windows folder and all it will hold', 'win32', 'folder', ENV, ['CONTOSO\\runner:(OI)(CI)F']],
    ['a Windows file', 'win32', 'file', ENV, ['CONTOSO\\runner:F']],
    ['a local account', 'win32', 'file', { USERNAME: 'runner' }, ['runner:F']],
  ])('%s', async (_name, platform, kind, env, grant) => {
    const { calls, runCommand } = icacls();
    await restrictToOwner('C:\\t\\acr-login-config', kind, { platform, runCommand, env });
    if (grant === undefined) {
      expect(calls).toEqual([]);
      return;
    }
    const program = `${env.SystemRoot ?? 'C:\\Windows'}\\System32\\icacls.exe`;
    expect(calls.map(({ program, args }) => ({ program, args }))).toEqual([
      { program, args: ['C:\\t\\acr-login-config', '/inheritance:r', '/grant:r', ...grant] },
    ]);
  });

  test.each<[string, Awaited<ReturnType<CommandRunner>> | Error, RegExp]>([
    [
      'icacls refused',
      { code: 5, stdout: '', stderr: 'C:\\t: Access is denied.\r\n' },
      /icacls exited with 5 \(C:\\t: Access is denied\.\)/,
    ],
    ['icacls hung', { code: null, stdout: '', stderr: '' }, /icacls timed out/],
    [
      'icacls missing',
      Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' }),
      /could not be started \(spawn ENOENT\)/,
    ],
  ])('fails when it cannot be done: %s', async (_name, answer, said) => {
    const { runCommand } = icacls(answer);
    const failure = restrictToOwner('C:\\t', 'folder', { platform: 'win32', runCommand, env: ENV });
    await expect(failure).rejects.toBeInstanceOf(AcrLoginError);
    await expect(failure).rejects.toMatchObject({
      code: 'CONFIG_WRITE_FAILED',
      message: expect.stringMatching(said),
    });
    await expect(failure).rejects.toThrow(/readable by the job's user alone/);
  });
});

describe('the folders and files the step keeps credentials in are owner-only on Windows before anything is written', () => {
  test('the renewal folder, before its cache files', async () => {
    const { calls, runCommand, watching } = icacls();
    const temp = await tempDir();
    const dir = join(temp, HELPER);
    const cached = cacheFile(dir, 'contoso.azurecr.io');
    watching([cached]);
    const files = await writeRenewalFiles({
      tempDir: temp,
      helper: HELPER,
      node: 'C:\\node.exe',
      bundle: 'C:\\main.js',
      platform: 'win32',
      cache: CACHE,
      ownerOnly: { runCommand, env: ENV },
    });
    expect(calls.map((call) => call.args)).toEqual([
      [files.dir, '/inheritance:r', '/grant:r', 'CONTOSO\\runner:(OI)(CI)F'],
    ]);
    expect(calls[0]?.existed).toEqual({ [cached]: false });
    expect(existsSync(cached)).toBe(true);
  });

  test('the renewal folder: when it cannot be made owner-only, nothing is left', async () => {
    const temp = await tempDir();
    const { runCommand } = icacls({
      code: 1332,
      stdout: 'No mapping between account names and security IDs was done.',
      stderr: '',
    });
    await expect(
      writeRenewalFiles({
        tempDir: temp,
        node: 'C:\\node.exe',
        bundle: 'C:\\main.js',
        platform: 'win32',
        helper: HELPER,
        cache: CACHE,
        ownerOnly: { runCommand, env: ENV },
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_WRITE_FAILED' });
    expect(await readdir(temp)).toEqual([]);
  });

  test("the job's client files folder: when it cannot be made owner-only, no client file is written", async () => {
    const temp = await tempDir();
    const { calls, runCommand } = icacls({ code: 5, stdout: '', stderr: 'Access is denied.' });
    await expect(
      isolateClientFiles({
        tempDir: temp,
        families: ['docker', 'containers'],
        env: { USERPROFILE: 'C:\\Users\\runner' },
        platform: 'win32',
        ownerOnly: { runCommand, env: ENV },
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_WRITE_FAILED' });
    const dir = join(temp, 'acr-login-config');
    expect(calls.map((call) => call.args[0])).toEqual([dir]);
    expect(await readdir(dir)).toEqual([]);
  });

  test('the pull secret file, before its credential', async () => {
    const dir = await tempDir();
    const sizes: number[] = [];
    const { calls, runCommand } = icacls();
    const recording: CommandRunner = async (program, args) => {
      sizes.push((await stat(args[0] ?? '')).size);
      return runCommand(program, args);
    };
    const file = await writePullSecret(
      dir,
      [{ loginServer: 'contoso.azurecr.io', username: 'u', password: 'p' }],
      { platform: 'win32', runCommand: recording, env: ENV },
    );
    expect(calls.map((call) => call.args)).toEqual([
      [file, '/inheritance:r', '/grant:r', 'CONTOSO\\runner:F'],
    ]);
    expect(sizes).toEqual([0]);
    expect((await stat(file ?? '')).size).toBeGreaterThan(0);
  });

  test('the pull secret file: when it cannot be made owner-only, it is removed and the step fails', async () => {
    const dir = await tempDir();
    const { runCommand } = icacls({ code: 5, stdout: '', stderr: 'Access is denied.' });
    await expect(
      writePullSecret(dir, [{ loginServer: 'contoso.azurecr.io', username: 'u', password: 'p' }], {
        platform: 'win32',
        runCommand,
        env: ENV,
      }),
    ).rejects.toMatchObject({
      code: 'CONFIG_WRITE_FAILED',
      message: expect.stringContaining('Access is denied'),
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
