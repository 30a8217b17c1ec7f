import { chmod, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeClientLogins } from '../../src/clients/client-logins.ts';
import { createDockerCli } from '../../src/clients/docker-cli.ts';
import type { ClientLogin } from '../../src/clients/login-entry.ts';
import { removeClientLogins } from '../../src/clients/remove-client-logins.ts';
import { createGpgKey, createPassStore, type GpgKey, stopAgent } from './pass-store.ts';
import { recordingLogger, tempDir } from './support.ts';

// Drives docker with credential helpers written as /bin/sh scripts, which Windows cannot run.
describe.skipIf(process.platform === 'win32')('docker CLI with credential helpers', () => {
  const USER = '00000000-0000-0000-0000-000000000000';
  const PASSWORD = 'refresh.token-that-must-never-be-in-argv';

  /**
   * A registry on loopback that accepts exactly USER:PASSWORD with Basic auth: docker login checks the
   * credentials before it hands them to the helper (docker treats 127.0.0.0/8 as insecure and speaks http).
   */
  let server: Server;
  let registry: string;
  const seenAuthorizations: string[] = [];
  beforeAll(async () => {
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    server = createServer((request, response) => {
      seenAuthorizations.push(request.headers.authorization ?? '');
      const ok = request.headers.authorization === expected;
      response.writeHead(ok ? 200 : 401, {
        'Docker-Distribution-API-Version': 'registry/2.0',
        ...(ok ? {} : { 'WWW-Authenticate': 'Basic realm="acrtest"' }),
      });
      response.end(ok ? '{}' : '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  /**
   * `docker-credential-acrtest`: a credential helper that keeps one credential in a directory and records
   * its own argv and its parent's (docker's) command line, to show where the password travelled.
   */
  async function credentialHelper(dir: string): Promise<{ bin: string; store: string }> {
    const bin = join(dir, 'bin');
    const store = join(dir, 'store');
    await mkdir(bin);
    await mkdir(store);
    const script = `#!/bin/sh
store='${store}'
printf '%s\\n' "$*" >> "$store/argv.log"
tr '\\0' ' ' < /proc/$PPID/cmdline >> "$store/docker-argv.log"
echo >> "$store/docker-argv.log"
case "$1" in
  store) cat > "$store/credential.json" ;;
  get) cat > /dev/null
       if [ -f "$store/credential.json" ]; then cat "$store/credential.json"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase) cat > /dev/null; rm -f "$store/credential.json" ;;
  list) echo '{}' ;;
esac
`;
    await writeFile(join(bin, 'docker-credential-acrtest'), script);
    await chmod(join(bin, 'docker-credential-acrtest'), 0o755);
    return { bin, store };
  }

  async function setup(config: object) {
    const dir = await tempDir();
    const { bin, store } = await credentialHelper(dir);
    const configDir = join(dir, 'docker');
    await mkdir(configDir);
    const file = join(configDir, 'config.json');
    await writeFile(file, JSON.stringify(config, null, '\t'));
    // A minimal environment: no proxy variables, a fresh HOME, the helper first on PATH.
    const env = {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: dir,
      DOCKER_CONFIG: configDir,
    };
    return { dir, store, file, env };
  }

  function login(): ClientLogin {
    return { loginServer: registry, username: USER, password: PASSWORD };
  }

  // Each test runs the real docker CLI against the emulator, several times: seconds on a busy machine.
  describe('registries owned by a credential helper go through the real docker CLI', {
    timeout: 30_000,
  }, () => {
    test('credsStore: docker login with --password-stdin stores the secret in the helper; logout erases it', async () => {
      const { store, file, env } = await setup({ credsStore: 'acrtest', currentContext: 'default' });
      const logger = recordingLogger();

      const { entries } = await writeClientLogins(['docker'], [login()], { env, logger });
      expect(entries).toEqual([
        {
          client: 'docker',
          method: 'docker-cli',
          file,
          key: registry,
          // A digest of what docker left in the helper, to recognise it at logout.
          written: { credentialHelper: 'acrtest', digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
          // The helper held nothing and the file had no `auths`: both go again at logout.
          previous: { credential: null, auths: null },
          createdFile: false,
          createdAuths: true,
        },
      ]);
      expect(JSON.parse(await readFile(join(store, 'credential.json'), 'utf8'))).toEqual({
        ServerURL: registry,
        Username: USER,
        Secret: PASSWORD,
      });
      const dockerArgv = await readFile(join(store, 'docker-argv.log'), 'utf8');
      expect(dockerArgv).toContain(
        `--config ${join(env.HOME, 'docker')} login ${registry} --username ${USER} --password-stdin`,
      );
      expect(dockerArgv).not.toContain(PASSWORD);
      expect(await readFile(join(store, 'argv.log'), 'utf8')).not.toContain(PASSWORD);
      // docker leaves an empty marker in auths; the secret is only in the helper.
      const config = JSON.parse(await readFile(file, 'utf8')) as { auths: Record<string, unknown> };
      expect(config).toMatchObject({
        credsStore: 'acrtest',
        currentContext: 'default',
        auths: { [registry]: {} },
      });
      expect(JSON.stringify(config)).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
      expect(seenAuthorizations).toContain(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
      // Registering a secret for masking is the one place it may appear.
      for (const line of logger.lines.filter((text) => !text.startsWith('mask: ')))
        expect(line).not.toContain(PASSWORD);

      const outcome = await removeClientLogins(entries, { env, logger });
      expect(outcome).toEqual({ restored: 0, removed: 1, skipped: [] });
      expect(await readFile(join(store, 'argv.log'), 'utf8')).toMatch(/^erase$/m);
      await expect(readFile(join(store, 'credential.json'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
        credsStore: 'acrtest',
        currentContext: 'default',
      });
    });

    test('credHelpers for one registry: that one through docker, another one in the file', async () => {
      const { store, file, env } = await setup({ credHelpers: { [registry]: 'acrtest' } });
      const other: ClientLogin = {
        loginServer: 'contoso.azurecr.io',
        username: USER,
        password: 'other-token',
      };

      const { entries } = await writeClientLogins(['docker'], [login(), other], {
        env,
        logger: recordingLogger(),
      });
      expect(entries.map((entry) => [entry.method, entry.key])).toEqual([
        ['docker-cli', registry],
        ['file', 'contoso.azurecr.io'],
      ]);
      expect(JSON.parse(await readFile(join(store, 'credential.json'), 'utf8'))).toMatchObject({
        Secret: PASSWORD,
      });
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
        credHelpers: { [registry]: 'acrtest' },
        auths: { 'contoso.azurecr.io': { auth: Buffer.from(`${USER}:other-token`).toString('base64') } },
      });

      expect(await removeClientLogins(entries, { env, logger: recordingLogger() })).toEqual({
        restored: 0,
        removed: 2,
        skipped: [],
      });
      expect(JSON.parse(await readFile(file, 'utf8'))).not.toHaveProperty(['auths', 'contoso.azurecr.io']);
    });

    test('docker rejecting the login: DOCKER_LOGIN_FAILED with docker output, without the password', async () => {
      const { file, env } = await setup({ credsStore: 'acrtest' });
      const before = await readFile(file, 'utf8');
      const wrong: ClientLogin = { loginServer: registry, username: USER, password: 'wrong-secret-value' };
      const error = await writeClientLogins(['docker'], [wrong], { env, logger: recordingLogger() }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({
        code: 'DOCKER_LOGIN_FAILED',
        details: { server: registry, helper: 'acrtest' },
      });
      expect((error as Error).message).toMatch(
        /docker-credential-acrtest.*exited with 1: .*401 Unauthorized/s,
      );
      expect((error as Error).message).not.toContain('wrong-secret-value');
      expect(await readFile(file, 'utf8')).toBe(before);
    });

    test('docker not installed: DOCKER_LOGIN_FAILED explaining the helper and the fix', async () => {
      const { dir, file, env } = await setup({ credsStore: 'acrtest' });
      const before = await readFile(file, 'utf8');
      // The helper and the few tools its script needs, but no docker.
      const tools = join(dir, 'tools');
      await mkdir(tools);
      for (const tool of ['sh', 'cat', 'tr', 'rm']) await symlink(`/bin/${tool}`, join(tools, tool));
      const noDocker = { ...env, PATH: `${join(dir, 'bin')}:${tools}` };
      await expect(
        writeClientLogins(['docker'], [login()], { env: noDocker, logger: recordingLogger() }),
      ).rejects.toMatchObject({
        code: 'DOCKER_LOGIN_FAILED',
        message: expect.stringMatching(
          /credential helper "docker-credential-acrtest".*"docker" is not installed.*Install the docker CLI, or remove credsStore/s,
        ),
      });
      expect(await readFile(file, 'utf8')).toBe(before);
    });

    test.each([
      ['not installed', 'acr-env'],
      ['installed', 'acrtest'],
    ])(
      'a renewed registry whose credHelpers helper is %s: the login goes to auths, the helper is never asked',
      async (_, helper) => {
        const { store, file, env } = await setup({ credHelpers: { [registry]: helper } });
        const { entries } = await writeClientLogins(['docker'], [login()], {
          env,
          logger: recordingLogger(),
          renewed: [registry],
        });
        expect(entries).toMatchObject([{ method: 'file', key: registry, previous: null }]);
        expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
          credHelpers: { [registry]: helper },
          auths: { [registry]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } },
        });
        // Neither docker nor the helper ran: the helper's log was never written.
        await expect(readFile(join(store, 'argv.log'))).rejects.toMatchObject({ code: 'ENOENT' });
      },
    );
  });

  /** A `docker` that is this shell script, and a login for it to refuse or hang on. */
  async function scriptedDocker(script: string, options: { timeoutMs?: number } = {}) {
    const dir = await tempDir();
    const command = join(dir, 'docker');
    await writeFile(command, `#!/bin/sh\n${script}\n`);
    await chmod(command, 0o755);
    const cli = createDockerCli({ env: { PATH: process.env.PATH ?? '' }, command, ...options });
    const login = {
      configDir: dir,
      server: 'contoso.azurecr.io',
      username: 'u',
      password: 'pw',
      helper: 'pass',
    };
    return { cli, login };
  }

  test("docker's refusal is quoted without the password, even a short one", async () => {
    // Stands in for a docker whose helper repeats what it was given in its error.
    const { cli, login } = await scriptedDocker(
      'secret=$(cat)\necho "Error: the store refused $secret" >&2\nexit 1',
    );
    const error = await cli.login(login).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'DOCKER_LOGIN_FAILED' });
    expect((error as Error).message).toContain('the store refused ***');
    expect((error as Error).message).not.toContain('pw');
  });

  test('a helper that refuses to store is named with its answer, and the fix is the routing, not the registry', async () => {
    // docker's words when the helper behind credsStore or credHelpers exits non-zero on store.
    const { cli, login } = await scriptedDocker(
      'cat >/dev/null\necho "Error saving credentials: error storing credentials - err: exit status 1, out: \\`store is locked\\`" >&2\nexit 1',
    );
    const error = await cli.login(login).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'DOCKER_LOGIN_FAILED' });
    expect((error as Error).message).toContain(
      'The credential helper "docker-credential-pass" cannot store credentials for "contoso.azurecr.io": it answered "store is locked".',
    );
    expect((error as Error).message).toContain('Remove this registry from credHelpers');
  });

  test('a docker login that hangs (a helper waiting for a prompt) fails after the timeout, saying why', async () => {
    // Stands in for a docker whose helper waits for a keychain prompt: it never answers.
    const { cli, login } = await scriptedDocker('exec sleep 30', { timeoutMs: 300 });
    await expect(cli.login({ ...login, helper: 'osxkeychain' })).rejects.toMatchObject({
      code: 'DOCKER_LOGIN_FAILED',
      message: expect.stringContaining('did not finish within 0.3 s'),
    });
  });

  test('under the config lock, docker login is stopped when the hold ends, before its own timeout', async () => {
    const { cli, login } = await scriptedDocker('exec sleep 30');
    const started = Date.now();
    await expect(
      cli.login({ ...login, helper: 'osxkeychain', deadline: Date.now() + 300 }),
    ).rejects.toMatchObject({
      code: 'DOCKER_LOGIN_FAILED',
      message: expect.stringMatching(/did not finish within 0\.\d+ s \(what was left of the 120 s/),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  // Each test makes a GPG key and runs gpg through pass a few times: seconds on a busy machine.
  describe('a credential the user keeps in pass comes back at logout', { timeout: 30_000 }, () => {
    const USER_CREDENTIAL = () => ({ ServerURL: registry, Username: 'alice', Secret: 'alice-own-secret' });
    let key: GpgKey;
    beforeAll(async () => {
      key = await createGpgKey(await tempDir());
    }, 30_000);
    afterAll(() => key?.stop());

    async function withUserCredential() {
      const dir = await tempDir();
      const store = await createPassStore(dir, key);
      expect((await store.helper('store', JSON.stringify(USER_CREDENTIAL()))).code).toBe(0);
      const configDir = join(dir, 'docker');
      await mkdir(configDir);
      const file = join(configDir, 'config.json');
      await writeFile(file, JSON.stringify({ auths: { [registry]: {} }, credsStore: 'pass' }, null, '\t'));
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        DOCKER_CONFIG: configDir,
        ...store.env,
      };
      const held = async () => JSON.parse((await store.helper('get', registry)).stdout) as unknown;
      return { dir, store, file, env, held };
    }

    test('login keeps it (masked) in the state and replaces it; logout puts it back', async () => {
      const { file, env, held } = await withUserCredential();
      const logger = recordingLogger();
      const { entries } = await writeClientLogins(['docker'], [login()], { env, logger });
      expect(entries[0]?.previous).toEqual({ credential: USER_CREDENTIAL(), auths: {} });
      // Masked as soon as it is read, before docker runs.
      const reading = logger.lines.findIndex((line) => line.includes('running docker login'));
      expect(logger.lines[reading + 1]).toBe('mask: alice-own-secret');
      expect(await held()).toEqual({ ServerURL: registry, Username: USER, Secret: PASSWORD });

      expect(await removeClientLogins(entries, { env, logger })).toEqual({
        restored: 1,
        removed: 0,
        skipped: [],
      });
      expect(await held()).toEqual(USER_CREDENTIAL());
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
        auths: { [registry]: {} },
        credsStore: 'pass',
      });
    });

    test('a credential another login stored since is left alone, and logout says so', async () => {
      const { store, env, held } = await withUserCredential();
      const { entries } = await writeClientLogins(['docker'], [login()], { env, logger: recordingLogger() });
      const later = { ServerURL: registry, Username: USER, Secret: 'a-later-job-token' };
      await store.helper('erase', registry);
      await store.helper('store', JSON.stringify(later));

      const outcome = await removeClientLogins(entries, { env, logger: recordingLogger() });
      expect(outcome).toMatchObject({ restored: 0, removed: 0 });
      expect(outcome.skipped).toEqual([
        {
          file: join(env.DOCKER_CONFIG, 'config.json'),
          key: registry,
          reason:
            'the credential in "docker-credential-pass" changed since the login (another login stored it); left as it is',
        },
      ]);
      expect(await held()).toEqual(later);
    });

    test('an empty slot (a docker logout ran during the job) gets the user credential back', async () => {
      const { store, env, held } = await withUserCredential();
      const { entries } = await writeClientLogins(['docker'], [login()], { env, logger: recordingLogger() });
      await store.helper('erase', registry);
      expect(await removeClientLogins(entries, { env, logger: recordingLogger() })).toEqual({
        restored: 1,
        removed: 0,
        skipped: [],
      });
      expect(await held()).toEqual(USER_CREDENTIAL());
    });

    test('a Docker config deleted during the job: the helper still gets the user credential back', async () => {
      const { file, env, held } = await withUserCredential();
      const { entries } = await writeClientLogins(['docker'], [login()], { env, logger: recordingLogger() });
      await rm(file);
      expect(await removeClientLogins(entries, { env, logger: recordingLogger() })).toEqual({
        restored: 1,
        removed: 0,
        skipped: [],
      });
      expect(await held()).toEqual(USER_CREDENTIAL());
      await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    test('a helper that fails at logout is reported with whose credential is not back, never its secret', async () => {
      const { dir, env, held } = await withUserCredential();
      const { entries } = await writeClientLogins(['docker'], [login()], { env, logger: recordingLogger() });
      const emptyHome = join(dir, 'gnupg-without-key');
      await mkdir(emptyHome, { mode: 0o700 });
      const outcome = await removeClientLogins(entries, {
        env: { ...env, GNUPGHOME: emptyHome },
        logger: recordingLogger(),
      });
      await stopAgent(emptyHome);
      expect(outcome.skipped).toHaveLength(1);
      expect(outcome.skipped[0]?.reason).toMatch(
        /docker-credential-pass get.*No secret key.*The credential it held before the login \(user "alice"\) is not back/s,
      );
      expect(outcome.skipped[0]?.reason).not.toContain('alice-own-secret');
      expect(await held()).toEqual({ ServerURL: registry, Username: USER, Secret: PASSWORD });
    });
  });
});
