import { describe, expect, test } from 'vitest';
import { type ClientFiles, resolveClientFiles } from '../../src/clients/index.ts';

type Env = Record<string, string | undefined>;

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
    expect(resolveClientFiles(env, 'linux')).toEqual(expected);
  });

  test('a relative DOCKER_CONFIG is taken from the working directory, as docker does', () => {
    expect(resolveClientFiles({ HOME: '/h', DOCKER_CONFIG: 'rel/dir' }, 'linux').docker).toBe(
      `${process.cwd()}/rel/dir/config.json`,
    );
  });

  test('no HOME and no explicit file: CONFIG_WRITE_FAILED naming HOME and the variable to set', () => {
    expect(() => resolveClientFiles({ DOCKER_CONFIG: '/d' }, 'linux')).toThrow(
      expect.objectContaining({
        code: 'CONFIG_WRITE_FAILED',
        message: expect.stringMatching(/"HOME" is not set and neither is "REGISTRY_AUTH_FILE"/),
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
    expect(resolveClientFiles(env, platform)).toEqual(expected);
  });
});
