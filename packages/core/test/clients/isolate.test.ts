import { lstat, mkdir, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { writeClientLogins } from '../../src/clients/client-logins.ts';
import { isolateClientFiles, JOB_DIRECTORY } from '../../src/clients/isolate.ts';
import type { FileFamily } from '../../src/clients/paths.ts';
import { AcrLoginError } from '../../src/errors.ts';
import { recordingLogger, tempDir } from './support.ts';

// Describes the user's files through HOME and the passwd entry, with POSIX links and modes, as on Linux and
// macOS. Windows reads USERPROFILE instead: paths.test.ts covers where, with the platform injected.
describe.skipIf(process.platform === 'win32')('isolateClientFiles', () => {
  const noPasswdEntry = () => undefined;

  /** A user's HOME with a Docker config, buildx builders, contexts, a lock and a writer's temporary file. */
  async function userHome(root: string): Promise<string> {
    const home = join(root, 'home');
    await mkdir(join(home, '.docker', 'buildx', 'instances'), { recursive: true });
    await mkdir(join(home, '.docker', 'contexts', 'meta'), { recursive: true });
    await writeFile(join(home, '.docker', 'buildx', 'instances', 'builder'), '{"Name":"builder"}');
    await writeFile(join(home, '.docker', 'features.json'), '{}');
    await writeFile(
      join(home, '.docker', 'config.json'),
      '{\n\t"auths": {\n\t\t"user.example": {"auth": "dTpw"}\n\t}\n}',
    );
    await mkdir(join(home, '.docker', 'config.json.lock'));
    await writeFile(join(home, '.docker', '.config.json.0123456789ab.tmp'), 'half');
    await mkdir(join(home, '.config', 'containers'), { recursive: true });
    await writeFile(
      join(home, '.config', 'containers', 'auth.json'),
      '{"auths":{"quay.io":{"auth":"cTpw"}}}',
    );
    return home;
  }

  describe('isolateClientFiles: where the job files are and what each variable says', () => {
    test.each<[string, FileFamily[], Record<string, string>]>([
      ['docker only', ['docker'], { DOCKER_CONFIG: 'docker' }],
      ['containers only', ['containers'], { REGISTRY_AUTH_FILE: 'containers/auth.json' }],
      ['helm only', ['helm'], { HELM_REGISTRY_CONFIG: 'helm/registry/config.json' }],
      [
        'all three, docker twice (docker and oras)',
        ['docker', 'containers', 'docker', 'helm'],
        {
          DOCKER_CONFIG: 'docker',
          REGISTRY_AUTH_FILE: 'containers/auth.json',
          HELM_REGISTRY_CONFIG: 'helm/registry/config.json',
        },
      ],
    ])('%s', async (_, families, relative) => {
      const root = await tempDir();
      const temp = join(root, 'temp');
      const isolated = await isolateClientFiles({
        tempDir: temp,
        families,
        env: { HOME: join(root, 'home') },
      });
      const dir = join(temp, JOB_DIRECTORY);
      expect(isolated.dir).toBe(dir);
      expect(isolated.variables).toEqual(
        Object.fromEntries(Object.entries(relative).map(([name, path]) => [name, join(dir, path)])),
      );
      // Only the families asked for get a folder.
      const folders = {
        DOCKER_CONFIG: 'docker',
        REGISTRY_AUTH_FILE: 'containers',
        HELM_REGISTRY_CONFIG: 'helm',
      };
      expect((await readdir(dir)).sort()).toEqual(
        Object.keys(relative)
          .map((name) => folders[name as keyof typeof folders])
          .sort(),
      );
    });
  });

  describe('isolateClientFiles: what is carried over', () => {
    test("the user's files are copied byte for byte, 0600, and the user's files are left as they were", async () => {
      const root = await tempDir();
      const home = await userHome(root);
      const before = await readFile(join(home, '.docker', 'config.json'));
      const { variables } = await isolateClientFiles({
        tempDir: join(root, 'temp'),
        families: ['docker', 'containers'],
        env: { HOME: home, XDG_RUNTIME_DIR: join(home, 'run'), XDG_CONFIG_HOME: join(home, '.config') },
      });
      const docker = join(variables.DOCKER_CONFIG ?? '', 'config.json');
      expect(await readFile(docker)).toEqual(before);
      expect((await stat(docker)).mode & 0o777).toBe(0o600);
      // podman's own file, and the Docker login it would have found next (see the table below).
      expect(JSON.parse(await readFile(variables.REGISTRY_AUTH_FILE ?? '', 'utf8'))).toEqual({
        auths: { 'quay.io': { auth: 'cTpw' }, 'user.example': { auth: 'dTpw' } },
      });
      expect((await stat(variables.REGISTRY_AUTH_FILE ?? '')).mode & 0o777).toBe(0o600);
      expect(await readFile(join(home, '.docker', 'config.json'))).toEqual(before);
    });

    test("every other entry of the user's Docker folder is linked in; the lock and a writer's temp file are not", async () => {
      const root = await tempDir();
      const home = await userHome(root);
      const { variables } = await isolateClientFiles({
        tempDir: join(root, 'temp'),
        families: ['docker'],
        env: { HOME: home },
      });
      const dir = variables.DOCKER_CONFIG ?? '';
      expect((await readdir(dir)).sort()).toEqual(['buildx', 'config.json', 'contexts', 'features.json']);
      for (const name of ['buildx', 'contexts', 'features.json']) {
        expect((await lstat(join(dir, name))).isSymbolicLink()).toBe(true);
        expect(await readlink(join(dir, name))).toBe(join(home, '.docker', name));
      }
      // docker finds a builder created earlier in the job through the link.
      expect(await readFile(join(dir, 'buildx', 'instances', 'builder'), 'utf8')).toBe('{"Name":"builder"}');
    });

    test.each<[string, (root: string) => Record<string, string>, string | undefined]>([
      ['no file under HOME: an empty start', (root) => ({ HOME: join(root, 'empty-home') }), undefined],
      [
        'DOCKER_CONFIG set by the user: carried over from there',
        (root) => ({ HOME: join(root, 'home'), DOCKER_CONFIG: join(root, 'own-docker') }),
        '{"auths":{"own.example":{}}}',
      ],
      ['no HOME and no passwd entry: an empty start', () => ({}), undefined],
    ])('%s', async (_, envOf, expected) => {
      const root = await tempDir();
      await userHome(root);
      await mkdir(join(root, 'own-docker'));
      await writeFile(join(root, 'own-docker', 'config.json'), '{"auths":{"own.example":{}}}');
      const { variables } = await isolateClientFiles({
        tempDir: join(root, 'temp'),
        families: ['docker'],
        env: envOf(root),
        lookup: noPasswdEntry,
      });
      const copy = await readFile(join(variables.DOCKER_CONFIG ?? '', 'config.json'), 'utf8').catch(
        () => undefined,
      );
      expect(copy).toBe(expected);
    });

    test('a second login step of the job keeps the job file, with the first step login in it', async () => {
      const root = await tempDir();
      const home = await userHome(root);
      const temp = join(root, 'temp');
      const first = await isolateClientFiles({ tempDir: temp, families: ['docker'], env: { HOME: home } });
      const env = { HOME: home, ...first.variables };
      await writeClientLogins(
        ['docker'],
        [{ loginServer: 'first.azurecr.io', username: 'u', password: 'p' }],
        {
          env,
          logger: recordingLogger(),
        },
      );
      const written = await readFile(join(first.variables.DOCKER_CONFIG ?? '', 'config.json'), 'utf8');
      // The second step sees DOCKER_CONFIG pointing at the job folder, as the runner passes it on.
      const second = await isolateClientFiles({ tempDir: temp, families: ['docker', 'helm'], env });
      expect(second.variables.DOCKER_CONFIG).toBe(first.variables.DOCKER_CONFIG);
      expect(await readFile(join(second.variables.DOCKER_CONFIG ?? '', 'config.json'), 'utf8')).toBe(written);
      expect(written).toContain('first.azurecr.io');
    });

    test("a corrupt file of the user's fails under the user's name, where the fix is", async () => {
      const root = await tempDir();
      const home = join(root, 'home');
      await mkdir(join(home, '.docker'), { recursive: true });
      await writeFile(join(home, '.docker', 'config.json'), '{"auths": [');
      const error = await isolateClientFiles({
        tempDir: join(root, 'temp'),
        families: ['docker'],
        env: { HOME: home },
      }).catch((caught: unknown) => caught as AcrLoginError);
      expect(error).toBeInstanceOf(AcrLoginError);
      expect((error as AcrLoginError).code).toBe('CONFIG_CORRUPT');
      expect((error as AcrLoginError).message).toContain(`"${join(home, '.docker', 'config.json')}"`);
    });
  });

  describe('isolateClientFiles: the containers file carries what podman would have found without REGISTRY_AUTH_FILE', () => {
    const auth = (value: string) => ({ auth: value });
    test.each<[string, Record<string, object>, Record<string, string>, object | undefined]>([
      [
        'the first file in the search order wins for a registry; Docker Hub has two spellings',
        {
          'run/containers/auth.json': { auths: { 'quay.io': auth('runtime') } },
          'config/containers/auth.json': {
            auths: { 'quay.io': auth('config'), 'ghcr.io': auth('config'), 'docker.io': auth('config') },
          },
          'docker/config.json': {
            auths: { 'https://index.docker.io/v1/': auth('docker'), 'gcr.io': auth('docker') },
            credHelpers: { 'eu.gcr.io': 'gcloud' },
          },
        },
        {},
        {
          auths: {
            'quay.io': auth('runtime'),
            'ghcr.io': auth('config'),
            'docker.io': auth('config'),
            'gcr.io': auth('docker'),
          },
        },
      ],
      [
        "without XDG_RUNTIME_DIR's file, the XDG config file is the base and keeps its other keys",
        {
          'config/containers/auth.json': { auths: { 'ghcr.io': auth('config') }, extra: true },
          'docker/config.json': { auths: { 'gcr.io': auth('docker') } },
        },
        {},
        { auths: { 'ghcr.io': auth('config'), 'gcr.io': auth('docker') }, extra: true },
      ],
      [
        'REGISTRY_AUTH_FILE set by the user: that file alone, as podman reads it',
        {
          'own/auth.json': { auths: { 'ghcr.io': auth('own') } },
          'docker/config.json': { auths: { 'gcr.io': auth('docker') } },
        },
        { REGISTRY_AUTH_FILE: 'own/auth.json' },
        { auths: { 'ghcr.io': auth('own') } },
      ],
      ['nothing anywhere: an empty start', {}, {}, undefined],
    ])('%s', async (_, present, relativeEnv, expected) => {
      const root = await tempDir();
      for (const [path, content] of Object.entries(present)) {
        await mkdir(join(root, path, '..'), { recursive: true });
        await writeFile(join(root, path), JSON.stringify(content));
      }
      const env: Record<string, string> = {
        HOME: join(root, 'home'),
        XDG_RUNTIME_DIR: join(root, 'run'),
        XDG_CONFIG_HOME: join(root, 'config'),
        DOCKER_CONFIG: join(root, 'docker'),
        ...Object.fromEntries(Object.entries(relativeEnv).map(([name, path]) => [name, join(root, path)])),
      };
      const { variables } = await isolateClientFiles({
        tempDir: join(root, 'temp'),
        families: ['containers'],
        env,
      });
      const text = await readFile(variables.REGISTRY_AUTH_FILE ?? '', 'utf8').catch(() => undefined);
      expect(text === undefined ? undefined : JSON.parse(text)).toEqual(expected);
    });

    test('a file that only holds what the primary file holds is copied byte for byte', async () => {
      const root = await tempDir();
      const text = '{\n    "auths": {\n        "quay.io": {"auth": "cTpw"}\n    }\n}\n';
      await mkdir(join(root, 'run', 'containers'), { recursive: true });
      await writeFile(join(root, 'run', 'containers', 'auth.json'), text);
      await mkdir(join(root, 'docker'));
      await writeFile(join(root, 'docker', 'config.json'), '{"auths":{"quay.io":{"auth":"b3RoZXI="}}}');
      const { variables } = await isolateClientFiles({
        tempDir: join(root, 'temp'),
        families: ['containers'],
        env: {
          HOME: join(root, 'home'),
          XDG_RUNTIME_DIR: join(root, 'run'),
          DOCKER_CONFIG: join(root, 'docker'),
        },
      });
      expect(await readFile(variables.REGISTRY_AUTH_FILE ?? '', 'utf8')).toBe(text);
    });
  });

  test("a later login step's containers file does not carry an earlier step's login from the job's Docker config", async () => {
    const root = await tempDir();
    const temp = join(root, 'temp');
    const env = { HOME: join(root, 'home'), XDG_RUNTIME_DIR: join(root, 'run') };
    const first = await isolateClientFiles({ tempDir: temp, families: ['docker'], env });
    const later = { ...env, ...first.variables };
    await writeClientLogins(['docker'], [{ loginServer: 'first.azurecr.io', username: 'u', password: 'p' }], {
      env: later,
      logger: recordingLogger(),
    });
    const second = await isolateClientFiles({ tempDir: temp, families: ['containers'], env: later });
    // The first step's logout removes its entry from the Docker file only: a copy here would outlive it.
    await expect(readFile(second.variables.REGISTRY_AUTH_FILE ?? '', 'utf8')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
