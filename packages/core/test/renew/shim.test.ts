import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  HELPER_ARGUMENT,
  newHelperName,
  readCached,
  removeRenewalFiles,
  shimText,
  writeRenewalFiles,
} from '../../src/renew/index.ts';
import { LIFETIME, T0, tempDir, USER } from './support.ts';

const HELPER = 'acr-login-0badcafe';
const CACHE = {
  'contoso.azurecr.io': {
    username: USER,
    password: 'rt-0',
    expiresOn: T0 + LIFETIME,
    renewAt: T0 + LIFETIME - 1,
  },
};

const ECHO = join(import.meta.dirname, 'fixtures', 'echo-helper.mjs');

describe('helper names', () => {
  test('are acr-login-<8 hex> and differ per login', () => {
    const names = new Set(Array.from({ length: 50 }, newHelperName));
    expect(names.size).toBe(50);
    for (const name of names) expect(name).toMatch(/^acr-login-[0-9a-f]{8}$/);
  });
});

describe('the POSIX shim', () => {
  test('runs the given Node on the bundle with the renewal folder, passing argv and stdin through', async () => {
    // Spaces, quotes and a dollar sign in every path: the shell must pass them on untouched.
    const temp = join(await tempDir(), "runner temp's $HOME");
    await mkdir(temp);
    const files = await writeRenewalFiles({
      tempDir: temp,
      node: process.execPath,
      bundle: ECHO,
      platform: 'linux',
      helper: HELPER,
      cache: CACHE,
    });
    const result = spawnSync(files.shim, ['get'], {
      input: 'contoso.azurecr.io\n',
      encoding: 'utf8',
      env: {},
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      args: [HELPER_ARGUMENT, files.dir, 'get'],
      input: 'contoso.azurecr.io\n',
    });
  });

  test('is found on PATH under the name docker-credential-<helper>', async () => {
    const files = await writeRenewalFiles({
      tempDir: await tempDir(),
      node: process.execPath,
      bundle: ECHO,
      platform: 'linux',
      helper: HELPER,
      cache: CACHE,
    });
    const result = spawnSync(`docker-credential-${files.helper}`, ['list'], {
      encoding: 'utf8',
      env: { PATH: `${files.binDir}:/usr/bin:/bin` },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).args).toEqual([HELPER_ARGUMENT, files.dir, 'list']);
  });

  test('no Node from PATH: the absolute path of the Node running the step', () => {
    const text = shimText('linux', {
      node: '/opt/runner/externals/node24/bin/node',
      bundle: '/a/b.js',
      dir: '/t/acr-login-0badcafe',
    });
    expect(text).toBe(
      "#!/bin/sh\nexec '/opt/runner/externals/node24/bin/node' '/a/b.js' credential-helper '/t/acr-login-0badcafe' \"$@\"\n",
    );
  });
});

describe('the Windows shim', () => {
  test.each([
    [
      'plain paths',
      {
        node: 'C:\\agent\\externals\\node20_1\\bin\\node.exe',
        bundle: 'D:\\a\\_tasks\\main.js',
        dir: 'D:\\a\\_temp\\acr-login-0badcafe',
      },
      '@echo off\r\n"C:\\agent\\externals\\node20_1\\bin\\node.exe" "D:\\a\\_tasks\\main.js" credential-helper "D:\\a\\_temp\\acr-login-0badcafe" %*\r\n',
    ],
    [
      'spaces and percent signs',
      {
        node: 'C:\\Program Files\\nodejs\\node.exe',
        bundle: 'C:\\100% sure\\main.js',
        dir: 'C:\\t\\acr-login-0badcafe',
      },
      '@echo off\r\n"C:\\Program Files\\nodejs\\node.exe" "C:\\100%% sure\\main.js" credential-helper "C:\\t\\acr-login-0badcafe" %*\r\n',
    ],
  ])('%s', (_name, target, text) => {
    expect(shimText('win32', target)).toBe(text);
  });

  test('is a .cmd file, which Windows finds through PATHEXT', async () => {
    const files = await writeRenewalFiles({
      tempDir: await tempDir(),
      node: 'C:\\node.exe',
      bundle: 'C:\\main.js',
      platform: 'win32',
      helper: HELPER,
      cache: CACHE,
    });
    expect(files.shim).toBe(join(files.binDir, `docker-credential-${files.helper}.cmd`));
    expect(await readFile(files.shim, 'utf8')).toContain(' credential-helper ');
  });
});

describe('renewal files', () => {
  test('live in one 0700 folder of the temp dir: 0600 cache files and a 0700 shim; removal leaves nothing', async () => {
    const temp = await tempDir();
    const files = await writeRenewalFiles({
      tempDir: temp,
      helper: HELPER,
      node: process.execPath,
      bundle: ECHO,
      platform: 'linux',
      cache: CACHE,
    });
    expect(files.dir).toBe(join(temp, HELPER));
    expect((await stat(files.dir)).mode & 0o777).toBe(0o700);
    const cached = join(files.dir, 'cache', 'contoso.azurecr.io.json');
    expect((await stat(cached)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(cached, 'utf8'))).toEqual(CACHE['contoso.azurecr.io']);
    expect(await readCached(files.dir, 'contoso.azurecr.io')).toEqual(CACHE['contoso.azurecr.io']);
    expect((await stat(files.shim)).mode & 0o777).toBe(0o700);
    await removeRenewalFiles(files.dir);
    expect(await readdir(temp)).toEqual([]);
    // A second removal (a retried post step) is fine.
    await removeRenewalFiles(files.dir);
  });

  test('an unwritable temp dir is an error that names it and the fix', async () => {
    const temp = join(await tempDir(), 'missing-parent', 'file-not-dir');
    await mkdir(join(temp, '..'), { recursive: true });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(temp, 'a file where the folder should be');
    await expect(
      writeRenewalFiles({
        tempDir: temp,
        node: process.execPath,
        bundle: ECHO,
        platform: 'linux',
        helper: HELPER,
        cache: {},
      }),
    ).rejects.toMatchObject({
      code: 'CONFIG_WRITE_FAILED',
      message: expect.stringContaining('renew: false'),
    });
  });
});
