import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { uptime } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  credentialsJson,
  HELPER_ARGUMENT,
  newHelperName,
  readCached,
  removeRenewalFiles,
  runCredentialHelper,
  shimText,
  writeCached,
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

// The POSIX shim is a /bin/sh script: Windows runs the .cmd shim below instead.
describe.skipIf(process.platform === 'win32')('the POSIX shim', () => {
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
      dir: "/t/it's",
    });
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).toContain(
      "\nnode='/opt/runner/externals/node24/bin/node'\nbundle='/a/b.js'\ndir='/t/it'\\''s'\n",
    );
    expect(text).toContain('exec "$node" "$bundle" credential-helper "$dir" "$@"\n');
  });
});

describe.skipIf(process.platform === 'win32')('the POSIX fast path', () => {
  const SERVER = 'contoso.azurecr.io';
  const PASSWORD = 'eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3NjQ0MTc2MDB9.c2ln-_A';

  /** A renewal folder whose cache holds `text` for SERVER, and a shim whose Node is `node`. */
  async function folder(text: string | undefined, node = process.execPath) {
    const temp = await tempDir();
    const files = await writeRenewalFiles({
      tempDir: temp,
      helper: HELPER,
      node,
      bundle: ECHO,
      platform: 'linux',
      cache: {},
    });
    if (text !== undefined) await writeFile(join(files.dir, 'cache', `${SERVER}.json`), text);
    return { ...files, temp };
  }

  /** As the agent writes it: `renewAtUptime` is `renewAt` in whole seconds of the system's uptime. */
  const fresh = (renewAt = Date.now() + 3_600_000) =>
    JSON.stringify({
      expiresOn: renewAt + 1_800_000,
      renewAt,
      renewAtUptime: Math.max(0, Math.floor(uptime() + (renewAt - Date.now()) / 1000)),
      username: USER,
      password: PASSWORD,
    });

  test('the agent writes the fields in that order, the long password last', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'cache'));
    await writeCached(dir, SERVER, { username: USER, password: PASSWORD, expiresOn: 2, renewAt: 1 });
    const text = await readFile(join(dir, 'cache', `${SERVER}.json`), 'utf8');
    expect(Object.keys(JSON.parse(text))).toEqual(Object.keys(JSON.parse(fresh())));
  });

  test('the fields are found by name: a file in another order is answered alike', async () => {
    const { username, password, ...times } = JSON.parse(fresh()) as Record<string, unknown>;
    const files = await folder(JSON.stringify({ username, password, ...times }), '/nonexistent/node');
    const result = spawnSync(files.shim, ['get'], { input: SERVER, encoding: 'utf8', env: {} });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(credentialsJson(SERVER, USER, PASSWORD));
  });

  test.each(['sh', 'bash'])(
    '%s: a fresh cached credential is answered without starting Node',
    async (shell) => {
      // A Node that does not exist: any hand-over would fail.
      const files = await folder(fresh(), '/nonexistent/node');
      // A PATH without date or anything else, as some clients run their helpers.
      const env = { PATH: '/nonexistent' };
      const result = spawnSync(shell === 'sh' ? '/bin/sh' : '/bin/bash', [files.shim, 'get'], {
        input: SERVER,
        encoding: 'utf8',
        env,
      });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(credentialsJson(SERVER, USER, PASSWORD));
    },
  );

  test('without renewAtUptime (or without /proc), date decides: a fresh one is still answered', async () => {
    const files = await folder(fresh().replace(/,"renewAtUptime":\d+/, ''), '/nonexistent/node');
    const result = spawnSync(files.shim, ['get'], { input: SERVER, encoding: 'utf8', env: {} });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(credentialsJson(SERVER, USER, PASSWORD));
  });

  test('it is the same credential the Node helper would serve from that file', async () => {
    const files = await folder(fresh());
    const fast = spawnSync(files.shim, ['get'], { input: `${SERVER}\n`, encoding: 'utf8', env: {} });
    const node = await runCredentialHelper({ dir: files.dir, command: 'get', input: SERVER, clock: Date });
    expect(fast.stdout).toBe(node.stdout);
  });

  test.each([
    ['due', fresh(Date.now() - 1000), SERVER],
    // The uptime decides where /proc has it, even when the wall clock says otherwise.
    ['due by the uptime', fresh().replace(/"renewAtUptime":\d+/, '"renewAtUptime":1'), SERVER],
    [
      'due by the wall clock, without renewAtUptime',
      fresh(Date.now() - 1000).replace(/,"renewAtUptime":\d+/, ''),
      SERVER,
    ],
    ['renewAtUptime not a number', fresh().replace(/"renewAtUptime":\d+/, '"renewAtUptime":"x"'), SERVER],
    ['no cache file', undefined, SERVER],
    ['a corrupt file', '{"username":"x","pass', SERVER],
    ['a password with a quote', fresh().replace(PASSWORD, 'a\\"b'), SERVER],
    ['a password with a space', fresh().replace(PASSWORD, 'a b'), SERVER],
    ['renewAt not a number', fresh().replace(/"renewAt":\d+/, '"renewAt":"soon"'), SERVER],
    ['a URL', fresh(), `https://${SERVER}/v2/`],
    ['upper case', fresh(), SERVER.toUpperCase()],
    ['a port', fresh(), 'localhost:5000'],
    ['a trailing space', fresh(), `${SERVER} `],
    ['a command substitution', fresh(), '$(touch pwned)'],
    ['backquotes', fresh(), '`touch pwned`'],
    ['a glob', fresh(), '*'],
    ['a path', fresh(), '../cache/contoso.azurecr.io'],
    ['separators', fresh(), 'a;touch pwned|b&c'],
    ['nothing', fresh(), ''],
  ])('%s: handed to Node with the server on stdin, untouched', async (_name, text, server) => {
    const files = await folder(text);
    const result = spawnSync(files.shim, ['get'], {
      input: server,
      encoding: 'utf8',
      env: {},
      cwd: files.temp,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      args: [HELPER_ARGUMENT, files.dir, 'get'],
      input: `${server}\n`,
    });
    expect(await readdir(files.temp)).toEqual([HELPER]);
  });

  test.each([
    ['list', [] as string[]],
    ['store', [] as string[]],
    ['get with an extra argument', ['extra']],
  ])('%s: handed to Node with its stdin', async (command, extra) => {
    const files = await folder(fresh());
    const name = command.split(' ')[0] ?? '';
    const result = spawnSync(files.shim, [name, ...extra], { input: SERVER, encoding: 'utf8', env: {} });
    expect(JSON.parse(result.stdout)).toEqual({
      args: [HELPER_ARGUMENT, files.dir, name, ...extra],
      input: SERVER,
    });
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
      // icacls cannot run here: owner-only.test.ts covers the ACL.
      ownerOnly: {
        runCommand: async () => ({ code: 0, stdout: '', stderr: '' }),
        env: { USERNAME: 'runner' },
      },
    });
    expect(files.shim).toBe(join(files.binDir, `docker-credential-${files.helper}.cmd`));
    expect(await readFile(files.shim, 'utf8')).toContain(' credential-helper ');
  });
});

describe('renewal files', () => {
  // Windows has no POSIX mode bits: a file there inherits the ACL of its folder.
  test.skipIf(process.platform === 'win32')(
    'live in one 0700 folder of the temp dir: 0600 cache files and a 0700 shim; removal leaves nothing',
    async () => {
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
      // And the renewal time in seconds of uptime, for the shell: T0 is long past, so 0.
      expect(JSON.parse(await readFile(cached, 'utf8'))).toEqual({
        ...CACHE['contoso.azurecr.io'],
        renewAtUptime: 0,
      });
      expect(await readCached(files.dir, 'contoso.azurecr.io')).toEqual(CACHE['contoso.azurecr.io']);
      expect((await stat(files.shim)).mode & 0o777).toBe(0o700);
      await removeRenewalFiles(files.dir);
      expect(await readdir(temp)).toEqual([]);
      // A second removal (a retried post step) is fine.
      await removeRenewalFiles(files.dir);
    },
  );

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
