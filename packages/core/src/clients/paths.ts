import { userInfo } from 'node:os';
import { posix, win32 } from 'node:path';
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
export function variable(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The home directory in the passwd database (on Windows, the profile directory), which docker
 * (cli/config getHomeDir) and podman (containers/storage homedir) fall back to when HOME is unset: root started
 * by cloud-init, or a systemd unit without User=. Undefined for a uid with no entry (a container run with --user).
 */
export function passwdHome(): string | undefined {
  try {
    const dir = userInfo().homedir;
    return dir === '' ? undefined : dir;
  } catch {
    return undefined;
  }
}

type HomeLookup = () => string | undefined;

/** The variable that points each family's clients at their file (the Docker one names a directory). */
export const FILE_VARIABLES: Readonly<Record<FileFamily, string>> = {
  docker: 'DOCKER_CONFIG',
  containers: 'REGISTRY_AUTH_FILE',
  helm: 'HELM_REGISTRY_CONFIG',
};

function home(env: Env, platform: NodeJS.Platform, family: FileFamily, lookup: HomeLookup): string {
  // Go's os.UserHomeDir, which docker, oras and podman call, reads USERPROFILE on Windows and HOME elsewhere.
  // On Windows HOME is often set by Git Bash or MSYS to another directory, which those clients ignore.
  const name = platform === 'win32' ? 'USERPROFILE' : 'HOME';
  const value = variable(env, name) ?? lookup();
  if (value !== undefined) return value;
  const override = FILE_VARIABLES[family];
  const where =
    platform === 'win32'
      ? 'Windows reports no profile directory'
      : 'the passwd database has no home for this user';
  throw new AcrLoginError(
    'CONFIG_WRITE_FAILED',
    `Cannot locate the ${family} credentials file: "${override}" and "${name}" are not set, and ${where}. ` +
      `Set ${override} to ${override === 'DOCKER_CONFIG' ? 'the directory that holds config.json' : 'the file to write'}, or set ${name}.`,
    { details: { variable: name } },
  );
}

/** Where one client family reads credentials (pure apart from resolving relative paths against the cwd). */
export function clientFile(
  family: FileFamily,
  env: Env,
  platform: NodeJS.Platform = process.platform,
  lookup: HomeLookup = passwdHome,
): string {
  // Paths in the platform's own syntax, so that Windows resolution can be tested anywhere.
  const { join, resolve } = platform === 'win32' ? win32 : posix;
  const homeDir = () => home(env, platform, family, lookup);
  switch (family) {
    case 'docker': {
      // docker/cli config.Dir(): DOCKER_CONFIG names a directory; the file is always config.json in it.
      const dir = variable(env, 'DOCKER_CONFIG') ?? join(homeDir(), '.docker');
      return resolve(dir, 'config.json');
    }
    case 'containers': {
      const explicit = variable(env, 'REGISTRY_AUTH_FILE');
      if (explicit !== undefined) return resolve(explicit);
      if (platform !== 'linux') return resolve(homeDir(), '.config/containers/auth.json');
      // containers-auth.json(5): the primary read/write file is ${XDG_RUNTIME_DIR}/containers/auth.json.
      const runtime = variable(env, 'XDG_RUNTIME_DIR');
      if (runtime !== undefined) return resolve(runtime, 'containers/auth.json');
      // Without XDG_RUNTIME_DIR the primary file is /run/containers/<uid>/auth.json (root, as on most CI
      // runners: /run/containers/0/auth.json; podman run by systemd as root prefers /etc/containers/auth.json).
      // /run is not writable for other users, so write the first read-only fallback the tools search next,
      // ${XDG_CONFIG_HOME}/containers/auth.json: it is used whenever the primary file has no entry for the
      // registry, which is the case unless someone ran `podman login` to that registry before.
      return containersConfigFile(env, platform, lookup);
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
        platform === 'darwin' ? join(homeDir(), 'Library/Preferences') : join(homeDir(), '.config');
      return resolve(base, 'helm/registry/config.json');
    }
  }
}

/** `${XDG_CONFIG_HOME}/containers/auth.json`: the file podman, buildah and skopeo search after the primary one. */
export function containersConfigFile(
  env: Env,
  platform: NodeJS.Platform = process.platform,
  lookup: HomeLookup = passwdHome,
): string {
  const { join, resolve } = platform === 'win32' ? win32 : posix;
  const config =
    variable(env, 'XDG_CONFIG_HOME') ?? join(home(env, platform, 'containers', lookup), '.config');
  return resolve(config, 'containers/auth.json');
}

/** Where each client reads credentials, from the environment (and the passwd entry when HOME is unset). */
export function resolveClientFiles(
  env: Env,
  platform: NodeJS.Platform = process.platform,
  lookup: HomeLookup = passwdHome,
): ClientFiles {
  return {
    docker: clientFile('docker', env, platform, lookup),
    containers: clientFile('containers', env, platform, lookup),
    helm: clientFile('helm', env, platform, lookup),
  };
}
