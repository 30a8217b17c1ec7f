import { join, resolve } from 'node:path';
import { AcrLoginError } from '../errors.ts';
import type { ClientKind } from '../types.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The file each client family reads credentials from. */
export interface ClientFiles {
  readonly docker: string;
  readonly containers: string;
  readonly helm: string;
}

export type FileFamily = keyof ClientFiles;

/** oras reads Docker's config; podman, buildah and skopeo share the containers auth file. */
export const CLIENT_FAMILY: Readonly<Record<ClientKind, FileFamily>> = {
  docker: 'docker',
  oras: 'docker',
  podman: 'containers',
  helm: 'helm',
};

/** An unset variable and an empty one mean the same to docker, podman and helm. */
function variable(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function home(env: Env, platform: NodeJS.Platform, family: FileFamily): string {
  const value = variable(env, 'HOME') ?? (platform === 'win32' ? variable(env, 'USERPROFILE') : undefined);
  if (value !== undefined) return value;
  const override = {
    docker: 'DOCKER_CONFIG',
    containers: 'REGISTRY_AUTH_FILE',
    helm: 'HELM_REGISTRY_CONFIG',
  }[family];
  throw new AcrLoginError(
    'CONFIG_WRITE_FAILED',
    `Cannot locate the ${family} credentials file: "HOME" is not set and neither is "${override}". ` +
      `Set HOME, or set ${override} to ${override === 'DOCKER_CONFIG' ? 'the directory that holds config.json' : 'the file to write'}.`,
    { details: { variable: 'HOME' } },
  );
}

/** Where one client family reads credentials (pure apart from resolving relative paths against the cwd). */
export function clientFile(
  family: FileFamily,
  env: Env,
  platform: NodeJS.Platform = process.platform,
): string {
  switch (family) {
    case 'docker': {
      // docker/cli config.Dir(): DOCKER_CONFIG names a directory; the file is always config.json in it.
      const dir = variable(env, 'DOCKER_CONFIG') ?? join(home(env, platform, family), '.docker');
      return resolve(dir, 'config.json');
    }
    case 'containers': {
      const explicit = variable(env, 'REGISTRY_AUTH_FILE');
      if (explicit !== undefined) return resolve(explicit);
      if (platform !== 'linux') return resolve(home(env, platform, family), '.config/containers/auth.json');
      // containers-auth.json(5): the primary read/write file is ${XDG_RUNTIME_DIR}/containers/auth.json.
      const runtime = variable(env, 'XDG_RUNTIME_DIR');
      if (runtime !== undefined) return resolve(runtime, 'containers/auth.json');
      // Without XDG_RUNTIME_DIR the primary file is /run/containers/<uid>/auth.json (root, as on most CI
      // runners: /run/containers/0/auth.json; podman run by systemd as root prefers /etc/containers/auth.json).
      // /run is not writable for other users, so write the first read-only fallback the tools search next,
      // ${XDG_CONFIG_HOME}/containers/auth.json: it is used whenever the primary file has no entry for the
      // registry, which is the case unless someone ran `podman login` to that registry before.
      const config = variable(env, 'XDG_CONFIG_HOME') ?? join(home(env, platform, family), '.config');
      return resolve(config, 'containers/auth.json');
    }
    case 'helm': {
      const explicit = variable(env, 'HELM_REGISTRY_CONFIG');
      if (explicit !== undefined) return resolve(explicit);
      // helm's helmpath: HELM_CONFIG_HOME, then XDG_CONFIG_HOME/helm, then a per-platform default.
      const helmHome = variable(env, 'HELM_CONFIG_HOME');
      if (helmHome !== undefined) return resolve(helmHome, 'registry/config.json');
      const xdg = variable(env, 'XDG_CONFIG_HOME');
      if (xdg !== undefined) return resolve(xdg, 'helm/registry/config.json');
      if (platform === 'win32') {
        const appData = variable(env, 'APPDATA');
        if (appData !== undefined) return resolve(appData, 'helm/registry/config.json');
      }
      const base =
        platform === 'darwin'
          ? join(home(env, platform, family), 'Library/Preferences')
          : join(home(env, platform, family), '.config');
      return resolve(base, 'helm/registry/config.json');
    }
  }
}

/** Where each client reads credentials, from the environment (pure). */
export function resolveClientFiles(env: Env, platform: NodeJS.Platform = process.platform): ClientFiles {
  return {
    docker: clientFile('docker', env, platform),
    containers: clientFile('containers', env, platform),
    helm: clientFile('helm', env, platform),
  };
}
