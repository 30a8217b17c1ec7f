import { spawnSync } from 'node:child_process';
import {
  chmod,
  chown,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { writeClientLogins } from '../../src/clients/client-logins.ts';
import { withLock } from '../../src/clients/lock.ts';
import type { ClientLogin, WriteOptions } from '../../src/clients/login-entry.ts';
import { removeClientLogins } from '../../src/clients/remove-client-logins.ts';
import { FIXTURES, recordingLogger, tempDir } from './support.ts';

const PASSWORD = 'eyJhbGciOiJSUzI1NiJ9.refresh-token-payload.signature';
const USER = '00000000-0000-0000-0000-000000000000';
const BASE64 = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const contoso: ClientLogin = { loginServer: 'contoso.azurecr.io', username: USER, password: PASSWORD };
const fabrikam: ClientLogin = {
  loginServer: 'fabrikam.azurecr.io',
  username: 'admin',
  password: 'p@ss:word',
};

const windows = process.platform === 'win32';

async function json(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

function options(env: Record<string, string>, extra: Partial<WriteOptions> = {}): WriteOptions {
  return { env, logger: recordingLogger(), ...extra };
}

/** A Docker config dir holding the fixture with unrelated keys and entries, as docker writes it. */
async function dockerHome(): Promise<{ env: Record<string, string>; file: string; original: string }> {
  const dir = await tempDir();
  const file = join(dir, 'docker', 'config.json');
  await mkdir(join(dir, 'docker'));
  await copyFile(join(FIXTURES, 'docker-config.txt'), file);
  return {
    env: { HOME: dir, DOCKER_CONFIG: join(dir, 'docker') },
    file,
    original: await readFile(file, 'utf8'),
  };
}

describe('writing the Docker config', () => {
  test('adds auths entries exactly as docker login does and keeps every other key and entry', async () => {
    const { env, file, original } = await dockerHome();
    const { entries, files } = await writeClientLogins(['docker'], [contoso, fabrikam], options(env));

    expect(files).toEqual({ docker: file });
    const before = JSON.parse(original) as { auths: Record<string, unknown> };
    expect(await json(file)).toEqual({
      ...before,
      auths: {
        ...before.auths,
        'contoso.azurecr.io': { auth: BASE64 },
        'fabrikam.azurecr.io': { auth: Buffer.from('admin:p@ss:word').toString('base64') },
      },
    });
    expect(entries).toEqual([
      {
        client: 'docker',
        method: 'file',
        file,
        key: 'contoso.azurecr.io',
        written: { auth: BASE64 },
        previous: null,
        createdFile: false,
      },
      {
        client: 'docker',
        method: 'file',
        file,
        key: 'fabrikam.azurecr.io',
        written: { auth: Buffer.from('admin:p@ss:word').toString('base64') },
        previous: null,
        createdFile: false,
      },
    ]);
  });

  test('writes with tab indentation like docker, and logout gives back the original bytes', async () => {
    const { env, file, original } = await dockerHome();
    const { entries } = await writeClientLogins(['docker'], [contoso], options(env));
    expect(await readFile(file, 'utf8')).toContain('\n\t\t"contoso.azurecr.io": {\n\t\t\t"auth": ');

    const outcome = await removeClientLogins(entries, options(env));
    expect(outcome).toEqual({ restored: 0, removed: 1, skipped: [] });
    expect(await readFile(file, 'utf8')).toBe(original);
  });

  test('replaces an existing entry for the server and restores it on logout', async () => {
    const { env, file } = await dockerHome();
    const old = { auth: Buffer.from('olduser:oldpass').toString('base64'), identitytoken: 'old-refresh' };
    const config = await json(file);
    (config.auths as Record<string, unknown>)['contoso.azurecr.io'] = old;
    await writeFile(file, JSON.stringify(config, null, '\t'));

    const logger = recordingLogger();
    const { entries } = await writeClientLogins(['docker'], [contoso], { env, logger });
    expect(entries[0]?.previous).toEqual(old);
    // The replaced credential travels in the saved state, so it is masked like our own.
    expect(logger.lines).toEqual(expect.arrayContaining([`mask: ${old.auth}`, 'mask: old-refresh']));
    expect((await json(file)).auths).toHaveProperty(['contoso.azurecr.io'], { auth: BASE64 });

    const outcome = await removeClientLogins(entries, options(env));
    expect(outcome).toEqual({ restored: 1, removed: 0, skipped: [] });
    expect(await json(file)).toEqual(config);
  });

  // Windows has no POSIX mode bits: a file there inherits the ACL of the profile directory.
  test.skipIf(windows)(
    'creates missing directories 0700 and the file 0600, and logout deletes the file it created',
    async () => {
      const home = await tempDir();
      const env = { HOME: home, USERPROFILE: home };
      const file = join(home, '.docker', 'config.json');
      const { entries } = await writeClientLogins(['docker'], [contoso], options(env));

      expect(entries[0]?.createdFile).toBe(true);
      expect(await json(file)).toEqual({ auths: { 'contoso.azurecr.io': { auth: BASE64 } } });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(join(home, '.docker'))).mode & 0o777).toBe(0o700);

      expect(await removeClientLogins(entries, options(env))).toEqual({
        restored: 0,
        removed: 1,
        skipped: [],
      });
      expect(await readdir(join(home, '.docker'))).toEqual([]);
    },
  );

  test('a created file that someone else added to since is kept, holding only their entry', async () => {
    const home = await tempDir();
    const env = { HOME: home, USERPROFILE: home };
    const file = join(home, '.docker', 'config.json');
    const { entries } = await writeClientLogins(['docker'], [contoso], options(env));
    const config = await json(file);
    (config.auths as Record<string, unknown>)['ghcr.io'] = { auth: 'Z2g6dG9rZW4=' };
    await writeFile(file, JSON.stringify(config));

    await removeClientLogins(entries, options(env));
    expect(await json(file)).toEqual({ auths: { 'ghcr.io': { auth: 'Z2g6dG9rZW4=' } } });
  });

  test.skipIf(windows)('an existing file keeps its mode, as docker keeps it (0644 stays 0644)', async () => {
    const { env, file } = await dockerHome();
    await chmod(file, 0o644);
    const { entries } = await writeClientLogins(['docker'], [contoso], options(env));
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    await removeClientLogins(entries, options(env));
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  // Only root can give a file to another user. CI runs as root, so there it must run, never skip.
  const root = process.getuid?.() === 0;
  test.skipIf(windows || (!root && process.env.CI !== 'true'))(
    `a login as root over another user's config keeps its owner and mode${root ? '' : ' (skipped: needs root)'}`,
    async () => {
      if (!root) throw new Error('CI runs as root: this test gives a file to another user, which needs root');
      const { env, file, original } = await dockerHome();
      // nobody:nogroup, as a runner's service user would own its config next to a root job.
      await chown(join(file, '..'), 65534, 65534);
      await chown(file, 65534, 65534);
      await chmod(file, 0o644);
      const { entries } = await writeClientLogins(['docker'], [contoso], options(env));
      expect((await json(file)).auths).toHaveProperty(['contoso.azurecr.io']);
      expect(await stat(file)).toMatchObject({ uid: 65534, gid: 65534 });
      expect((await stat(file)).mode & 0o777).toBe(0o644);

      await removeClientLogins(entries, options(env));
      expect(await readFile(file, 'utf8')).toBe(original);
      expect(await stat(file)).toMatchObject({ uid: 65534, gid: 65534 });
      expect((await stat(file)).mode & 0o777).toBe(0o644);
    },
  );

  test.each([
    ['empty', ''],
    ['only whitespace', ' \n\t\n'],
  ])(
    'a file that is %s counts as {}, and logout leaves {} without the auths object it added',
    async (_name, text) => {
      const dir = await tempDir();
      const file = join(dir, 'config.json');
      await writeFile(file, text);
      const env = { HOME: dir, DOCKER_CONFIG: dir };
      const { entries } = await writeClientLogins(['docker'], [contoso], options(env));
      expect(entries[0]?.createdFile).toBe(false);
      expect(await json(file)).toEqual({ auths: { 'contoso.azurecr.io': { auth: BASE64 } } });

      await removeClientLogins(entries, options(env));
      expect(await json(file)).toEqual({});
    },
  );

  test('an auths object the login added to an existing file goes again at logout', async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    await writeFile(file, '{"currentContext":"desktop-linux"}');
    const env = { HOME: dir, DOCKER_CONFIG: dir };
    const { entries } = await writeClientLogins(['docker'], [contoso, fabrikam], options(env));
    const outcome = await removeClientLogins(entries, options(env));
    expect(outcome.removed).toBe(2);
    expect(await json(file)).toEqual({ currentContext: 'desktop-linux' });
  });

  test('the debug log names the file and never holds the password or its base64', async () => {
    const { env, file } = await dockerHome();
    const logger = recordingLogger();
    const { entries } = await writeClientLogins(['docker'], [contoso], { env, logger });
    await removeClientLogins(entries, { env, logger });
    expect(logger.lines.some((line) => line.includes(file))).toBe(true);
    for (const line of logger.lines) {
      expect(line).not.toContain(PASSWORD);
      expect(line).not.toContain(BASE64);
    }
  });
});

describe('logout leaves what changed since', () => {
  test('an entry another login rewrote is left and reported', async () => {
    const { env, file } = await dockerHome();
    const { entries } = await writeClientLogins(['docker'], [contoso, fabrikam], options(env));
    const config = await json(file);
    const newer = { auth: Buffer.from('someone:else').toString('base64') };
    (config.auths as Record<string, unknown>)['contoso.azurecr.io'] = newer;
    await writeFile(file, JSON.stringify(config, null, '\t'));

    const outcome = await removeClientLogins(entries, options(env));
    expect(outcome.removed).toBe(1);
    expect(outcome.skipped).toEqual([
      {
        file,
        key: 'contoso.azurecr.io',
        reason: 'the entry changed since the login (another login wrote it); left as it is',
      },
    ]);
    const after = (await json(file)).auths as Record<string, unknown>;
    expect(after['contoso.azurecr.io']).toEqual(newer);
    expect(after).not.toHaveProperty(['fabrikam.azurecr.io']);
  });

  test('an entry removed since is reported, and its previous value is not brought back', async () => {
    const { env, file } = await dockerHome();
    const { entries } = await writeClientLogins(
      ['docker'],
      [{ ...contoso, loginServer: 'other.azurecr.io' }],
      {
        env,
        logger: recordingLogger(),
      },
    );
    const config = await json(file);
    delete (config.auths as Record<string, unknown>)['other.azurecr.io'];
    await writeFile(file, JSON.stringify(config));

    const outcome = await removeClientLogins(entries, options(env));
    expect(outcome).toMatchObject({ restored: 0, removed: 0 });
    expect(outcome.skipped.map((skip) => skip.key)).toEqual(['other.azurecr.io']);
    expect((await json(file)).auths).not.toHaveProperty(['other.azurecr.io']);
  });

  test('a file deleted since is fine: nothing to do, nothing reported', async () => {
    const home = await tempDir();
    const env = { HOME: home, USERPROFILE: home };
    const { entries } = await writeClientLogins(['docker'], [contoso], options(env));
    await removeClientLogins(entries, options(env));
    expect(await removeClientLogins(entries, options(env))).toEqual({ restored: 0, removed: 0, skipped: [] });
  });
});

// Creating a symlink on Windows needs Developer Mode or an administrator.
describe.skipIf(windows)('symlinks', () => {
  test('a linked config file is edited through the link, which stays a link', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'dotfiles'));
    await mkdir(join(dir, 'docker'));
    const real = join(dir, 'dotfiles', 'docker.json');
    await copyFile(join(FIXTURES, 'docker-config.txt'), real);
    const link = join(dir, 'docker', 'config.json');
    await symlink('../dotfiles/docker.json', link);
    const env = { HOME: dir, DOCKER_CONFIG: join(dir, 'docker') };

    const { entries, files } = await writeClientLogins(['docker'], [contoso], options(env));
    expect(files.docker).toBe(link);
    expect(entries[0]?.file).toBe(real);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('../dotfiles/docker.json');
    expect((await json(real)).auths).toHaveProperty(['contoso.azurecr.io'], { auth: BASE64 });

    await removeClientLogins(entries, options(env));
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(real, 'utf8')).toBe(await readFile(join(FIXTURES, 'docker-config.txt'), 'utf8'));
  });
});

describe('several clients', () => {
  // The Linux layout (XDG_RUNTIME_DIR); paths.test.ts has the other platforms'.
  test.skipIf(process.platform !== 'linux')(
    'docker, podman, helm and oras: three files, oras shares docker',
    async () => {
      const home = await tempDir();
      const env = { HOME: home, XDG_RUNTIME_DIR: join(home, 'run') };
      const { entries, files } = await writeClientLogins(
        ['docker', 'podman', 'helm', 'oras'],
        [contoso],
        options(env),
      );
      expect(files).toEqual({
        docker: join(home, '.docker/config.json'),
        oras: join(home, '.docker/config.json'),
        podman: join(home, 'run/containers/auth.json'),
        helm: join(home, '.config/helm/registry/config.json'),
      });
      expect(entries.map((entry) => [entry.client, entry.file])).toEqual([
        ['docker', files.docker],
        ['podman', files.podman],
        ['helm', files.helm],
      ]);
      for (const file of [files.docker, files.podman, files.helm]) {
        expect(await json(file ?? '')).toEqual({ auths: { 'contoso.azurecr.io': { auth: BASE64 } } });
      }
      expect(await removeClientLogins(entries, options(env))).toEqual({
        restored: 0,
        removed: 3,
        skipped: [],
      });
    },
  );

  test('REGISTRY_AUTH_FILE pointing at the Docker config: written once', async () => {
    const { env, file } = await dockerHome();
    const shared = { ...env, REGISTRY_AUTH_FILE: file };
    const { entries, files } = await writeClientLogins(['docker', 'podman'], [contoso], options(shared));
    expect(files).toEqual({ docker: file, podman: file });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ client: 'docker', file, key: 'contoso.azurecr.io' });
  });

  test('a failure on a later file undoes the earlier ones before it is thrown', async () => {
    const { env, file, original } = await dockerHome();
    const blocker = join(await tempDir(), 'not-a-dir');
    await writeFile(blocker, 'x');
    const failing = { ...env, HELM_REGISTRY_CONFIG: join(blocker, 'config.json') };
    await expect(writeClientLogins(['docker', 'helm'], [contoso], options(failing))).rejects.toMatchObject({
      code: 'CONFIG_WRITE_FAILED',
      details: { errno: expect.stringMatching(/^(ENOTDIR|EEXIST)$/) },
    });
    expect(await readFile(file, 'utf8')).toBe(original);
  });
});

describe('a file written by PowerShell', () => {
  test('a byte order mark is dropped, not taken for corruption, and the file is written back without it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    await copyFile(join(FIXTURES, 'powershell-bom.txt'), file);
    const original = JSON.parse((await readFile(file, 'utf8')).slice(1)) as Record<string, unknown>;
    const env = { HOME: dir, DOCKER_CONFIG: dir };

    const { entries } = await writeClientLogins(['docker'], [contoso], options(env));
    const written = await readFile(file);
    expect(written.subarray(0, 3)).not.toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(JSON.parse(written.toString('utf8'))).toEqual({
      ...original,
      auths: { ...(original.auths as object), 'contoso.azurecr.io': { auth: BASE64 } },
    });

    expect(await removeClientLogins(entries, options(env))).toMatchObject({ removed: 1, skipped: [] });
    expect(await json(file)).toEqual(original);
  });
});

describe('files that are not JSON objects', () => {
  test.each([
    ['truncated.txt', /Unexpected end of JSON input|Unterminated string/],
    ['array.txt', /it holds an array/],
    ['null.txt', /it holds null/],
    ['binary-junk.bin', /Unexpected token/],
  ])('%s: CONFIG_CORRUPT naming the file, which is left byte-identical', async (fixture, problem) => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    await copyFile(join(FIXTURES, fixture), file);
    const bytes = await readFile(file);

    const error = await writeClientLogins(
      ['docker'],
      [contoso],
      options({ HOME: dir, DOCKER_CONFIG: dir }),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CONFIG_CORRUPT', details: { file } });
    const message = (error as Error).message;
    expect(message).toContain(`"${file}" is not a JSON object`);
    expect(message).toMatch(problem);
    expect(message).toMatch(/repair it, or delete it/);
    // The parse error must not quote the file: it may hold other registries' credentials.
    expect(message).not.toContain('dXNlcjpw');
    expect(await readFile(file)).toEqual(bytes);
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  test('"auths" that is not an object is corrupt too', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.json'), '{"auths": ["x"]}');
    await expect(
      writeClientLogins(['docker'], [contoso], options({ HOME: dir, DOCKER_CONFIG: dir })),
    ).rejects.toMatchObject({
      code: 'CONFIG_CORRUPT',
      message: expect.stringContaining('"auths" is not an object'),
    });
  });

  test('a corrupt file at logout is reported for its entries and left alone', async () => {
    const { env, file } = await dockerHome();
    const { entries } = await writeClientLogins(['docker'], [contoso], options(env));
    await writeFile(file, '{"auths": {');
    const outcome = await removeClientLogins(entries, options(env));
    expect(outcome.skipped).toEqual([
      { file, key: 'contoso.azurecr.io', reason: expect.stringContaining('is not a JSON object') },
    ]);
    expect(await readFile(file, 'utf8')).toBe('{"auths": {');
  });

  test('a directory where the file should be: CONFIG_WRITE_FAILED with the errno', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'config.json'));
    await expect(
      writeClientLogins(['docker'], [contoso], options({ HOME: dir, DOCKER_CONFIG: dir })),
    ).rejects.toMatchObject({
      code: 'CONFIG_WRITE_FAILED',
      details: { errno: 'EISDIR' },
      message: expect.stringContaining(join(dir, 'config.json')),
    });
  });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('the lock', () => {
  test('a lock held by a live process makes the login wait and then fail with CONFIG_LOCK_TIMEOUT', async () => {
    const { env, file, original } = await dockerHome();
    const lock = `${file}.lock`;
    const held = JSON.stringify({
      pid: process.pid,
      host: (await import('node:os')).hostname(),
      token: 'other',
    });
    await writeFile(lock, held);
    await expect(
      writeClientLogins(['docker'], [contoso], options(env, { lockTimeoutMs: 150 })),
    ).rejects.toMatchObject({ code: 'CONFIG_LOCK_TIMEOUT', message: expect.stringContaining(lock) });
    expect(await readFile(file, 'utf8')).toBe(original);
    expect(await readFile(lock, 'utf8')).toBe(held);
  });

  test('a login waits for a live holder, times out naming it, and goes on once it lets go', async () => {
    const { env, file } = await dockerHome();
    const lock = `${file}.lock`;
    let release = () => {};
    let entered = () => {};
    const inside = new Promise<void>((done) => {
      entered = done;
    });
    const holder = withLock(lock, { timeoutMs: 1_000, file }, async () => {
      entered();
      await new Promise<void>((done) => {
        release = done;
      });
    });
    await inside;
    await expect(
      writeClientLogins(['docker'], [contoso], options(env, { lockTimeoutMs: 150 })),
    ).rejects.toMatchObject({
      code: 'CONFIG_LOCK_TIMEOUT',
      message: expect.stringContaining(
        `"${lock}" on "${file}": process ${process.pid} on this machine holds it`,
      ),
    });
    const waiting = writeClientLogins(['docker'], [contoso], options(env, { lockTimeoutMs: 5_000 }));
    release();
    await holder;
    await waiting;
    expect((await json(file)).auths).toHaveProperty(['contoso.azurecr.io']);
    expect(await readdir(join(file, '..'))).toEqual(['config.json']);
  });

  test('a lock of another machine is waited for while fresh and broken once 30 s old', async () => {
    const { env, file, original } = await dockerHome();
    const lock = `${file}.lock`;
    await mkdir(lock);
    const owner = join(lock, `4242.000000000000.${'ab'.repeat(12)}`);
    await writeFile(owner, '{"pid":4242,"host":"elsewhere"}');
    await expect(
      writeClientLogins(['docker'], [contoso], options(env, { lockTimeoutMs: 150 })),
    ).rejects.toMatchObject({
      code: 'CONFIG_LOCK_TIMEOUT',
      message: expect.stringContaining('process 4242 on another machine or container'),
    });
    expect(await readFile(file, 'utf8')).toBe(original);

    const old = new Date(Date.now() - 60_000);
    await utimes(owner, old, old);
    await writeClientLogins(['docker'], [contoso], options(env, { lockTimeoutMs: 2_000 }));
    expect(await readdir(join(file, '..'))).toEqual(['config.json']);
  });

  test('a lock file of an earlier release whose process is dead is broken', async () => {
    const { env, file } = await dockerHome();
    const { hostname } = await import('node:os');
    await writeFile(`${file}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), token: 'dead' }));

    await writeClientLogins(['docker'], [contoso], options(env, { lockTimeoutMs: 5_000 }));
    expect((await json(file)).auths).toHaveProperty(['contoso.azurecr.io']);
    expect(await readdir(join(file, '..'))).toEqual(['config.json']);
  });

  // What a release before the directory lock left when killed: its lock was a file, created empty and then
  // given its owner, and breaking it went through a `.lock.break` file.
  test.each([
    ['an empty lock file (killed before writing its owner)', '', false],
    ['an empty lock file and a leftover .lock.break', '', true],
    ["a dead owner's lock file and a leftover .lock.break", 'dead', true],
  ])('%s: the next login waits at most 2 s and removes them', async (_name, owner, breakFile) => {
    const { env, file } = await dockerHome();
    const lock = `${file}.lock`;
    const { hostname } = await import('node:os');
    await writeFile(
      lock,
      owner === 'dead' ? JSON.stringify({ pid: deadPid(), host: hostname(), token: 'dead' }) : '',
    );
    if (breakFile) await writeFile(`${lock}.break`, '');

    await writeClientLogins(['docker'], [contoso], options(env, { lockTimeoutMs: 2_000 }));
    expect((await json(file)).auths).toHaveProperty(['contoso.azurecr.io']);
    expect(await readdir(join(file, '..'))).toEqual(['config.json']);
  });

  test('temporary files of writers that died are removed by the next login; others are not', async () => {
    const { env, file } = await dockerHome();
    const dir = join(file, '..');
    await writeFile(join(dir, '.config.json.0123456789ab.tmp'), '{"auths": {');
    await writeFile(join(dir, '.config.json.ba9876543210.tmp'), '');
    // Not ours: another file's temporary file, and a name that only looks alike.
    await writeFile(join(dir, '.other.json.0123456789ab.tmp'), '');
    await writeFile(join(dir, '.config.json.notes.tmp'), '');

    const { entries } = await writeClientLogins(
      ['docker'],
      [contoso],
      options(env, { lockTimeoutMs: 2_000 }),
    );
    expect((await readdir(dir)).sort()).toEqual([
      '.config.json.notes.tmp',
      '.other.json.0123456789ab.tmp',
      'config.json',
    ]);
    await removeClientLogins(entries, options(env));
  });

  test('a lock older than 30 s is broken, even one with no owner written', async () => {
    const { env, file } = await dockerHome();
    const lock = `${file}.lock`;
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);

    await writeClientLogins(['docker'], [contoso], options(env, { lockTimeoutMs: 5_000 }));
    expect((await json(file)).auths).toHaveProperty(['contoso.azurecr.io']);
    expect(await readdir(join(file, '..'))).toEqual(['config.json']);
  });
});
