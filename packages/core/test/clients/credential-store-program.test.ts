import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createCredentialHelper,
  HelperFailure,
  helperCommand,
} from '../../src/clients/credential-store-program.ts';
import { createGpgKey, createPassStore, type GpgKey, type PassStore, stopAgent } from './pass-store.ts';
import { recordingLogger, tempDir } from './support.ts';

// Needs pass and gpg, and helpers written as /bin/sh scripts: Windows has none of them.
describe.skipIf(process.platform === 'win32')('credential helpers', () => {
  /** The docker-credential-helpers protocol against real helpers from Debian: pass, and ecr-login. */

  const SERVER = 'contoso.azurecr.io';
  const CREDENTIAL = { ServerURL: SERVER, Username: 'alice', Secret: 'p@ss "quoted" \\ and\ttab' };

  let key: GpgKey;
  let store: PassStore;
  let env: Record<string, string>;
  beforeAll(async () => {
    const dir = await tempDir();
    key = await createGpgKey(dir);
    store = await createPassStore(dir, key);
    env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...store.env };
  }, 30_000);
  afterAll(() => key?.stop());

  // gpg runs for every call through pass: seconds on a busy machine.
  describe('docker-credential-pass', { timeout: 30_000 }, () => {
    test('nothing stored: get answers an empty credential, list tells it is none', async () => {
      // This version answers "get" for an unknown server with empty fields and exit 0, not "not found".
      expect(JSON.parse((await store.helper('get', 'empty.azurecr.io')).stdout)).toEqual({
        ServerURL: 'empty.azurecr.io',
        Username: '',
        Secret: '',
      });
      const helper = createCredentialHelper('pass', { env, logger: recordingLogger() });
      expect(await helper.get('empty.azurecr.io')).toBeUndefined();
    });

    test('store, get, list and erase round-trip a credential byte for byte; get masks its secret', async () => {
      const logger = recordingLogger();
      const helper = createCredentialHelper('pass', { env, logger });
      await helper.store(CREDENTIAL);
      expect(await helper.get(SERVER)).toEqual(CREDENTIAL);
      expect(logger.lines).toEqual([`mask: ${CREDENTIAL.Secret}`]);
      expect(await helper.list(SERVER)).toMatchObject({ [SERVER]: 'alice' });
      await helper.erase(SERVER);
      expect(await helper.get(SERVER)).toBeUndefined();
    });

    test('a store it cannot decrypt (no key in this GPG home) fails get with the helper reason', async () => {
      const helper = createCredentialHelper('pass', { env, logger: recordingLogger() });
      await helper.store({ ...CREDENTIAL, ServerURL: 'locked.azurecr.io' });
      const emptyHome = join(await tempDir(), 'gnupg');
      await mkdir(emptyHome, { mode: 0o700 });
      const locked = createCredentialHelper('pass', {
        env: { ...env, GNUPGHOME: emptyHome },
        logger: recordingLogger(),
      });
      const error = await locked.get('locked.azurecr.io').catch((caught: unknown) => caught);
      await stopAgent(emptyHome);
      expect(error).toBeInstanceOf(HelperFailure);
      expect(error).toMatchObject({
        code: 'DOCKER_LOGIN_FAILED',
        action: 'get',
        reason: expect.stringContaining('No secret key'),
        details: { server: 'locked.azurecr.io', helper: 'pass' },
      });
    });
  });

  describe('docker-credential-ecr-login, a helper that only serves ECR', () => {
    const helper = () => createCredentialHelper('ecr-login', { env, logger: recordingLogger() });

    test('get for another registry: none ("credentials not found")', async () => {
      expect(await helper().get(SERVER)).toBeUndefined();
    });

    test('store: refused with its own answer, and the secret is not in the message', async () => {
      const error = await helper()
        .store(CREDENTIAL)
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ action: 'store', exitCode: 1, reason: 'not implemented' });
      expect((error as Error).message).not.toContain(CREDENTIAL.Secret);
    });
  });

  describe('helpers that word "none" their own way, or cannot answer at all', () => {
    test('get fails in its own words, list does not name the server: none', async () => {
      // Stands in for docker-credential-gcloud (not installed in CI), which answers `get` for a host it does
      // not serve with "You do not currently have an active account selected" and lists only its own hosts.
      const bin = join(await tempDir(), 'bin');
      await mkdir(bin);
      const script =
        '#!/bin/sh\ncat >/dev/null\ncase "$1" in\n' +
        '  get) echo "You do not currently have an active account selected."; exit 1 ;;\n' +
        '  list) echo \'{"https://gcr.io": "_dcgcloud_token"}\' ;;\nesac\n';
      await writeFile(join(bin, 'docker-credential-owntoken'), script);
      await chmod(join(bin, 'docker-credential-owntoken'), 0o755);
      const path = `${bin}:${env.PATH}`;
      const helper = createCredentialHelper('owntoken', {
        env: { ...env, PATH: path },
        logger: recordingLogger(),
      });
      expect(await helper.get(SERVER)).toBeUndefined();
      // A host it lists (with the scheme some helpers keep) is one it serves: its get failure stands.
      await expect(helper.get('gcr.io')).rejects.toMatchObject({
        action: 'get',
        reason: 'You do not currently have an active account selected.',
      });
    });

    test('docker-credential-secretservice without D-Bus: get and list fail, the get reason is reported', async () => {
      const helper = createCredentialHelper('secretservice', {
        env: { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent', DISPLAY: '' },
        logger: recordingLogger(),
      });
      await expect(helper.get(SERVER)).rejects.toMatchObject({
        action: 'get',
        reason: expect.stringMatching(/Could not connect|D-Bus/),
      });
    });
  });

  describe('failures a user can meet', () => {
    test('a helper not on PATH names the program and the fix, most likely first', async () => {
      const helper = createCredentialHelper('desktop', { env, logger: recordingLogger() });
      await expect(helper.get(SERVER)).rejects.toMatchObject({
        code: 'DOCKER_LOGIN_FAILED',
        details: { server: SERVER, helper: 'desktop' },
        message: expect.stringMatching(
          /^The Docker config routes "contoso\.azurecr\.io" to the credential helper "docker-credential-desktop".*"docker-credential-desktop" is not installed or not on PATH.*Install docker-credential-desktop and put it on the PATH/s,
        ),
      });
    });

    test('a helper that never answers (a keychain prompt) is killed after the timeout', async () => {
      const bin = join(await tempDir(), 'bin');
      await mkdir(bin);
      // Stands in for a helper waiting on a prompt nobody can answer in CI.
      await writeFile(join(bin, 'docker-credential-prompting'), '#!/bin/sh\nexec sleep 30\n');
      await chmod(join(bin, 'docker-credential-prompting'), 0o755);
      const helper = createCredentialHelper('prompting', {
        env: { ...env, PATH: `${bin}:${env.PATH}` },
        logger: recordingLogger(),
        timeoutMs: 300,
      });
      await expect(helper.get(SERVER)).rejects.toMatchObject({
        code: 'DOCKER_LOGIN_FAILED',
        message: expect.stringContaining('did not finish within 0.3 s'),
      });
    });

    test('under a lock, a helper is stopped when the hold ends, before its own timeout', async () => {
      const bin = join(await tempDir(), 'bin');
      await mkdir(bin);
      await writeFile(join(bin, 'docker-credential-slow'), '#!/bin/sh\nexec sleep 30\n');
      await chmod(join(bin, 'docker-credential-slow'), 0o755);
      const helper = createCredentialHelper('slow', {
        env: { ...env, PATH: `${bin}:${env.PATH}` },
        logger: recordingLogger(),
        deadline: Date.now() + 300,
      });
      const started = Date.now();
      await expect(helper.get(SERVER)).rejects.toMatchObject({
        code: 'DOCKER_LOGIN_FAILED',
        message: expect.stringMatching(
          /did not finish within 0\.\d+ s \(what was left of the 120 s a login may hold the Docker config's lock\)/,
        ),
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    test('an answer that is not a credential is an error, not "none"', async () => {
      const bin = join(await tempDir(), 'bin');
      await mkdir(bin);
      await writeFile(join(bin, 'docker-credential-garbled'), '#!/bin/sh\ncat >/dev/null\necho "<html>"\n');
      await chmod(join(bin, 'docker-credential-garbled'), 0o755);
      const helper = createCredentialHelper('garbled', {
        env: { ...env, PATH: `${bin}:${env.PATH}` },
        logger: recordingLogger(),
      });
      await expect(helper.get(SERVER)).rejects.toMatchObject({
        reason: 'its answer is not a credential in JSON',
      });
    });
  });

  describe('"not found" is read from stdout alone, as docker reads it', () => {
    /** A helper whose `get` says `getOut` on stdout and `getErr` on stderr and exits 1; its `list` fails. */
    async function helperSaying(name: string, getOut: string, getErr: string) {
      const bin = join(await tempDir(), 'bin');
      await mkdir(bin);
      const script =
        '#!/bin/sh\ncat >/dev/null\ncase "$1" in\n' +
        `  get) printf '%s' '${getOut}'; printf '%s' '${getErr}' >&2; exit 1 ;;\n` +
        '  *) echo "cannot list" >&2; exit 1 ;;\nesac\n';
      await writeFile(join(bin, `docker-credential-${name}`), script);
      await chmod(join(bin, `docker-credential-${name}`), 0o755);
      return createCredentialHelper(name, {
        env: { ...env, PATH: `${bin}:${env.PATH}` },
        logger: recordingLogger(),
      });
    }

    test('"not found" on stdout with a warning on stderr: none', async () => {
      const helper = await helperSaying(
        'warns',
        'credentials not found in native keychain\n',
        'warning: the keyring is read-only\n',
      );
      expect(await helper.get(SERVER)).toBeUndefined();
    });

    test('"not found" on stderr only: not an answer, the failure stands', async () => {
      const helper = await helperSaying('stderr', '', 'credentials not found in native keychain\n');
      await expect(helper.get(SERVER)).rejects.toMatchObject({
        action: 'get',
        exitCode: 1,
        reason: 'credentials not found in native keychain',
      });
    });
  });

  describe('on Windows, helpers are found through PATH and PATHEXT, as docker finds them', () => {
    const files = (...paths: string[]) => {
      const set = new Set(paths);
      return async (path: string) => set.has(path);
    };
    const program = 'docker-credential-wincred';

    test.each<[string, Record<string, string>, readonly string[], object]>([
      [
        'a .cmd script in the second PATH directory runs through cmd.exe, the line quoted once',
        { Path: 'C:\\Windows\\system32;C:\\tools', PATHEXT: '.COM;.EXE;.BAT;.CMD' },
        ['C:\\tools\\docker-credential-wincred.cmd'],
        {
          file: 'cmd.exe',
          args: ['/d', '/s', '/c', '""C:\\tools\\docker-credential-wincred.cmd" get"'],
          verbatim: true,
        },
      ],
      [
        'a .bat script, with ComSpec and PathExt spelled as Windows spells them',
        {
          PATH: '"C:\\Program Files\\helpers"',
          PathExt: '.EXE;.BAT',
          ComSpec: 'C:\\Windows\\system32\\cmd.exe',
        },
        ['C:\\Program Files\\helpers\\docker-credential-wincred.bat'],
        {
          file: 'C:\\Windows\\system32\\cmd.exe',
          args: ['/d', '/s', '/c', '""C:\\Program Files\\helpers\\docker-credential-wincred.bat" get"'],
          verbatim: true,
        },
      ],
      [
        'an .exe before a .cmd in one directory, in PATHEXT order; the first directory wins',
        { PATH: 'C:\\first;C:\\second', PATHEXT: '.EXE;.CMD' },
        [
          'C:\\first\\docker-credential-wincred.cmd',
          'C:\\first\\docker-credential-wincred.exe',
          'C:\\second\\docker-credential-wincred.exe',
        ],
        { file: 'C:\\first\\docker-credential-wincred.exe', args: ['get'], verbatim: false },
      ],
      [
        'a .cmd script when PATHEXT leaves .CMD out: not found, started by name (and reported missing)',
        { PATH: 'C:\\tools', PATHEXT: '.EXE' },
        ['C:\\tools\\docker-credential-wincred.cmd'],
        { file: program, args: ['get'], verbatim: false },
      ],
      [
        'no PATHEXT: the Windows default, which has .CMD',
        { PATH: 'C:\\tools' },
        ['C:\\tools\\docker-credential-wincred.cmd'],
        { file: 'cmd.exe', verbatim: true },
      ],
    ])('%s', async (_name, variables, present, expected) => {
      expect(await helperCommand(program, 'get', variables, 'win32', files(...present))).toMatchObject(
        expected,
      );
    });

    test('elsewhere, the program by name: the system searches PATH, and scripts run as they are', async () => {
      const windowsFiles = files('C:\\tools\\docker-credential-wincred.cmd');
      expect(await helperCommand(program, 'list', { PATH: '/usr/bin' }, 'linux', windowsFiles)).toEqual({
        file: program,
        args: ['list'],
        verbatim: false,
      });
    });
  });
});
