import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { type ClientFiles, resolveClientFiles } from '../../src/clients/paths.ts';

type Env = Record<string, string | undefined>;

/** A user without a passwd entry (a container run with --user 1234): no home to fall back to. */
const noPasswdEntry = () => undefined;

describe('resolveClientFiles on Linux', () => {
  test.each<[string, Env, ClientFiles]>([
    [
      'defaults under HOME',
      { HOME: '/home/runner' },
      {
        docker: '/home/runner/.docker/config.json',
        containers: '/home/runner/.config/containers/auth.json',
        helm: '/home/runner/.config/helm/registry/config.json',
      },
    ],
    [
      'explicit files win over everything',
      {
        HOME: '/home/runner',
        DOCKER_CONFIG: '/cfg/docker',
        REGISTRY_AUTH_FILE: '/cfg/auth.json',
        HELM_REGISTRY_CONFIG: '/cfg/helm.json',
        XDG_RUNTIME_DIR: '/run/user/1001',
        XDG_CONFIG_HOME: '/xdg',
        HELM_CONFIG_HOME: '/helm-home',
      },
      { docker: '/cfg/docker/config.json', containers: '/cfg/auth.json', helm: '/cfg/helm.json' },
    ],
    [
      'XDG_RUNTIME_DIR holds the primary containers file',
      { HOME: '/home/runner', XDG_RUNTIME_DIR: '/run/user/1001' },
      {
        docker: '/home/runner/.docker/config.json',
        containers: '/run/user/1001/containers/auth.json',
        helm: '/home/runner/.config/helm/registry/config.json',
      },
    ],
    [
      'XDG_CONFIG_HOME moves the containers fallback and helm',
      { HOME: '/home/runner', XDG_CONFIG_HOME: '/xdg' },
      {
        docker: '/home/runner/.docker/config.json',
        containers: '/xdg/containers/auth.json',
        helm: '/xdg/helm/registry/config.json',
      },
    ],
    [
      'HELM_CONFIG_HOME wins over XDG_CONFIG_HOME for helm',
      { HOME: '/home/runner', XDG_CONFIG_HOME: '/xdg', HELM_CONFIG_HOME: '/helm-home' },
      {
        docker: '/home/runner/.docker/config.json',
        containers: '/xdg/containers/auth.json',
        helm: '/helm-home/registry/config.json',
      },
    ],
    [
      'empty variables count as unset',
      {
        HOME: '/root',
        DOCKER_CONFIG: '',
        REGISTRY_AUTH_FILE: '',
        HELM_REGISTRY_CONFIG: '',
        XDG_RUNTIME_DIR: '',
      },
      {
        docker: '/root/.docker/config.json',
        containers: '/root/.config/containers/auth.json',
        helm: '/root/.config/helm/registry/config.json',
      },
    ],
    [
      'trailing slash on DOCKER_CONFIG',
      { HOME: '/home/runner', DOCKER_CONFIG: '/cfg/docker/' },
      {
        docker: '/cfg/docker/config.json',
        containers: '/home/runner/.config/containers/auth.json',
        helm: '/home/runner/.config/helm/registry/config.json',
      },
    ],
    [
      'no HOME is fine when every file is explicit',
      { DOCKER_CONFIG: '/d', REGISTRY_AUTH_FILE: '/a.json', HELM_REGISTRY_CONFIG: '/h.json' },
      { docker: '/d/config.json', containers: '/a.json', helm: '/h.json' },
    ],
  ])('%s', (_name, env, expected) => {
    expect(resolveClientFiles(env, 'linux', noPasswdEntry)).toEqual(expected);
  });

  test('a relative DOCKER_CONFIG is taken from the working directory, as docker does', () => {
    // The working directory is the host's, so this one runs with the host's platform.
    expect(resolveClientFiles({ HOME: '/h', USERPROFILE: 'C:\\h', DOCKER_CONFIG: 'rel/dir' }).docker).toBe(
      join(process.cwd(), 'rel', 'dir', 'config.json'),
    );
  });

  test('no HOME: the home directory of the passwd entry, as docker and podman fall back to', () => {
    expect(resolveClientFiles({}, 'linux', () => '/root')).toEqual({
      docker: '/root/.docker/config.json',
      containers: '/root/.config/containers/auth.json',
      helm: '/root/.config/helm/registry/config.json',
    });
  });

  test('by default the passwd entry is the real one', () => {
    expect(resolveClientFiles({}).docker).toBe(join(userInfo().homedir, '.docker', 'config.json'));
  });

  test('the passwd entry is asked only when HOME is unset', () => {
    const asked: string[] = [];
    const lookup = () => {
      asked.push('passwd');
      return '/root';
    };
    expect(resolveClientFiles({ HOME: '/home/runner' }, 'linux', lookup).docker).toBe(
      '/home/runner/.docker/config.json',
    );
    expect(asked).toEqual([]);
  });

  test.each([
    [
      'docker',
      { REGISTRY_AUTH_FILE: '/a.json', HELM_REGISTRY_CONFIG: '/h.json' },
      'Set DOCKER_CONFIG to the directory that holds config.json, or set HOME.',
    ],
    [
      'containers',
      { DOCKER_CONFIG: '/d', HELM_REGISTRY_CONFIG: '/h.json' },
      'Set REGISTRY_AUTH_FILE to the file to write, or set HOME.',
    ],
    [
      'helm',
      { DOCKER_CONFIG: '/d', REGISTRY_AUTH_FILE: '/a.json' },
      'Set HELM_REGISTRY_CONFIG to the file to write, or set HOME.',
    ],
  ])(
    'no HOME and no passwd entry: CONFIG_WRITE_FAILED for the %s file, naming its variable and HOME',
    (family, env, fix) => {
      const failure = (() => {
        try {
          resolveClientFiles(env, 'linux', noPasswdEntry);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(failure).toMatchObject({ code: 'CONFIG_WRITE_FAILED', details: { variable: 'HOME' } });
      const message = (failure as Error).message;
      expect(message).toMatch(
        new RegExp(
          `^Cannot locate the ${family} credentials file: .*"HOME" are not set, and the passwd database has no home for this user\\. `,
        ),
      );
      expect(message.endsWith(fix)).toBe(true);
    },
  );
});

describe('resolveClientFiles on Windows', () => {
  const profile = 'C:\\Users\\runneradmin';
  test.each<[string, Env, ClientFiles]>([
    [
      'USERPROFILE for docker and podman, APPDATA for helm',
      { USERPROFILE: profile, APPDATA: `${profile}\\AppData\\Roaming` },
      {
        docker: `${profile}\\.docker\\config.json`,
        containers: `${profile}\\.config\\containers\\auth.json`,
        helm: `${profile}\\AppData\\Roaming\\helm\\registry\\config.json`,
      },
    ],
    [
      'USERPROFILE wins over the HOME that Git Bash or MSYS set',
      { USERPROFILE: profile, HOME: '/home/runneradmin', APPDATA: `${profile}\\AppData\\Roaming` },
      {
        docker: `${profile}\\.docker\\config.json`,
        containers: `${profile}\\.config\\containers\\auth.json`,
        helm: `${profile}\\AppData\\Roaming\\helm\\registry\\config.json`,
      },
    ],
    [
      'no APPDATA: helm under the profile',
      { USERPROFILE: profile, HOME: 'D:\\msys\\home' },
      {
        docker: `${profile}\\.docker\\config.json`,
        containers: `${profile}\\.config\\containers\\auth.json`,
        helm: `${profile}\\.config\\helm\\registry\\config.json`,
      },
    ],
    [
      'explicit variables win, with either slash',
      {
        USERPROFILE: profile,
        DOCKER_CONFIG: 'D:/cfg/docker/',
        REGISTRY_AUTH_FILE: 'D:\\cfg\\auth.json',
        HELM_REGISTRY_CONFIG: 'D:/cfg/helm.json',
        XDG_RUNTIME_DIR: 'D:\\ignored',
      },
      {
        docker: 'D:\\cfg\\docker\\config.json',
        containers: 'D:\\cfg\\auth.json',
        helm: 'D:\\cfg\\helm.json',
      },
    ],
    [
      'XDG_CONFIG_HOME and HELM_CONFIG_HOME move helm as on Linux; podman ignores XDG_CONFIG_HOME off Linux',
      {
        USERPROFILE: profile,
        APPDATA: 'E:\\appdata',
        XDG_CONFIG_HOME: 'E:\\xdg',
        HELM_CONFIG_HOME: 'E:\\helm',
      },
      {
        docker: `${profile}\\.docker\\config.json`,
        containers: `${profile}\\.config\\containers\\auth.json`,
        helm: 'E:\\helm\\registry\\config.json',
      },
    ],
  ])('%s', (_name, env, expected) => {
    expect(resolveClientFiles(env, 'win32', noPasswdEntry)).toEqual(expected);
  });

  test('HOME alone is not used: the profile directory Windows reports is', () => {
    expect(resolveClientFiles({ HOME: '/home/runneradmin' }, 'win32', () => profile).docker).toBe(
      `${profile}\\.docker\\config.json`,
    );
  });

  test('no USERPROFILE and no profile directory: the message names USERPROFILE, not HOME', () => {
    expect(() => resolveClientFiles({ HOME: 'C:\\home' }, 'win32', noPasswdEntry)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_WRITE_FAILED',
        message: expect.stringContaining(
          '"DOCKER_CONFIG" and "USERPROFILE" are not set, and Windows reports no profile directory. ' +
            'Set DOCKER_CONFIG to the directory that holds config.json, or set USERPROFILE.',
        ),
      }),
    );
  });
});

describe('resolveClientFiles on other platforms', () => {
  test.each<[NodeJS.Platform, Env, ClientFiles]>([
    [
      'darwin',
      { HOME: '/Users/me', XDG_RUNTIME_DIR: '/ignored' },
      {
        docker: '/Users/me/.docker/config.json',
        containers: '/Users/me/.config/containers/auth.json',
        helm: '/Users/me/Library/Preferences/helm/registry/config.json',
      },
    ],
  ])('%s', (platform, env, expected) => {
    expect(resolveClientFiles(env, platform, noPasswdEntry)).toEqual(expected);
  });
});
