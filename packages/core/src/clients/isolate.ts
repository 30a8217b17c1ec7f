import { basename, dirname, join, resolve, sep } from 'node:path';
import { AcrLoginError } from '../errors.ts';
import { copyFile, lstat, mkdir, readdir, symlink, writeFile } from '../fs-async.ts';
import {
  type ConfigObject,
  ensureDirectory,
  errnoOf,
  isObject,
  isTempOf,
  parseConfig,
  readConfig,
  readConfigBytes,
  resolveTarget,
  writeConfigAtomic,
  writeFailed,
} from './config-file.ts';
import { exists } from './fs.ts';
import { type OwnerOnlyOptions, restrictToOwner } from './owner-only.ts';
import {
  type ClientFiles,
  clientFile,
  containersConfigFile,
  FILE_VARIABLES,
  type FileFamily,
  passwdHome,
  variable,
} from './paths.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The job's own client files live here, under the job's temp directory. One directory per job, not per step:
 * a second login step of the job finds the variables the first one exported pointing here and logs in to
 * the same files, so each post step removes exactly its own entries from them.
 */
export const JOB_DIRECTORY = 'acr-login-config';

/** The job's copy of each family's file, under `dir`. */
export function jobClientFiles(dir: string): ClientFiles {
  return {
    docker: join(dir, 'docker', 'config.json'),
    containers: join(dir, 'containers', 'auth.json'),
    helm: join(dir, 'helm', 'registry', 'config.json'),
  };
}

/** The value of each family's variable that points its clients at the job's file. */
function variableValue(family: FileFamily, file: string): string {
  // DOCKER_CONFIG names the directory that holds config.json; the others name the file.
  return family === 'docker' ? dirname(file) : file;
}

export interface IsolateOptions {
  /** The job's temp directory (RUNNER_TEMP, Agent.TempDirectory), which the runner empties after the job. */
  readonly tempDir: string;
  /** Only the families of the step's clients are set up. */
  readonly families: readonly FileFamily[];
  /** The step's environment: where the user's own files are (HOME, DOCKER_CONFIG, REGISTRY_AUTH_FILE, ...). */
  readonly env: Env;
  readonly platform?: NodeJS.Platform;
  readonly lookup?: () => string | undefined;
  /** How `restrictToOwner` runs icacls on Windows, and as whom; injected by tests. */
  readonly ownerOnly?: Omit<OwnerOnlyOptions, 'platform'>;
}

export interface IsolatedFiles {
  readonly dir: string;
  /** `DOCKER_CONFIG`, `REGISTRY_AUTH_FILE`, `HELM_REGISTRY_CONFIG` for the families set up: for the job's later steps. */
  readonly variables: Readonly<Record<string, string>>;
}

/**
 * Sets up the job's own client files: each a copy of the file the user's clients read today (a missing one
 * is an empty start), and for Docker every other entry of the user's Docker directory (buildx builders,
 * contexts, cli-plugins) linked in, so that the job's later `docker` commands keep finding them. Logins are
 * then written to these copies only: concurrent jobs under one HOME never see or undo each other's
 * credentials, and the user's files are never touched. A file the job already has (an earlier login step of
 * the same job) is kept as it is.
 */
export async function isolateClientFiles(options: IsolateOptions): Promise<IsolatedFiles> {
  const platform = options.platform ?? process.platform;
  const dir = join(resolve(options.tempDir), JOB_DIRECTORY);
  const files = jobClientFiles(dir);
  const variables: Record<string, string> = {};
  // The job's folder is the user's alone before any credential is written into it.
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw writeFailed(dir, error, 'create the directory');
  }
  await restrictToOwner(dir, 'folder', {
    platform,
    ...options.ownerOnly,
  });
  for (const family of new Set(options.families)) {
    const file = files[family];
    const lookup = options.lookup ?? passwdHome;
    const source = userFile(family, options.env, platform, lookup);
    await ensureDirectory(file);
    if (source !== undefined && (await resolveTarget(source)) !== (await resolveTarget(file))) {
      if (family === 'containers' && variable(options.env, 'REGISTRY_AUTH_FILE') === undefined) {
        // Not from the job's own files (an earlier login step's): its entries would outlive that step's logout.
        const search = containersSearchPath(options.env, platform, source, lookup);
        const own = (path: string) => path.startsWith(`${dir}${sep}`);
        await carryOverContainers(file, {
          containers: search.containers.filter((path) => !own(path)),
          ...(search.docker === undefined || own(search.docker) ? {} : { docker: search.docker }),
        });
      } else {
        await carryOver(source, file);
      }
      if (family === 'docker') await linkSiblings(dirname(source), dirname(file), basename(source), platform);
    }
    variables[FILE_VARIABLES[family]] = variableValue(family, file);
  }
  return { dir, variables };
}

/** The file the user's clients read today; undefined when there is none to find (no HOME, no passwd entry). */
function userFile(
  family: FileFamily,
  env: Env,
  platform: NodeJS.Platform,
  lookup: () => string | undefined,
): string | undefined {
  return withoutHome(() => clientFile(family, env, platform, lookup));
}

/** A path, or undefined when it needs a home there is none of: then there is nothing to carry over. */
function withoutHome(path: () => string): string | undefined {
  try {
    return path();
  } catch (error) {
    if (error instanceof AcrLoginError) return undefined;
    throw error;
  }
}

/** Copies the user's file byte for byte, 0600, unless the job has its own already. */
async function carryOver(source: string, file: string): Promise<void> {
  if (await exists(file)) return;
  const bytes = await readConfigBytes(source);
  if (bytes === undefined) return;
  // A corrupt file is reported under the user's name, where the fix is, not under the job's copy.
  parseConfig(source, bytes.toString('utf8'));
  try {
    await writeFile(file, bytes, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    throw writeFailed(file, error, 'write');
  }
}

/**
 * The files podman, buildah and skopeo search for a registry's credentials when REGISTRY_AUTH_FILE is unset,
 * first match wins (containers-auth.json(5)): the primary file, the XDG config one, then Docker's. Once the
 * job sets REGISTRY_AUTH_FILE they read that one file only, so it must carry what they would have found.
 */
function containersSearchPath(
  env: Env,
  platform: NodeJS.Platform,
  primary: string,
  lookup: () => string | undefined = passwdHome,
): { readonly containers: readonly string[]; readonly docker?: string } {
  const containers = [primary];
  if (
    platform === 'linux' &&
    variable(env, 'XDG_RUNTIME_DIR') === undefined &&
    typeof process.getuid === 'function'
  ) {
    // Without XDG_RUNTIME_DIR the primary file is /run/containers/<uid>/auth.json (see paths.ts).
    containers.unshift(`/run/containers/${process.getuid()}/auth.json`);
  }
  // The same resolution the login uses for these files, so that no home means no file, as for podman.
  const config = withoutHome(() => containersConfigFile(env, platform, lookup));
  if (config !== undefined) containers.push(config);
  const docker = userFile('docker', env, platform, lookup);
  return { containers: [...new Set(containers)], ...(docker === undefined ? {} : { docker }) };
}

/** `https://index.docker.io/v1/` and `docker.io` name one registry to containers/image. */
function registryKey(key: string): string {
  const stripped = key.replace(/^https?:\/\//, '');
  const host = stripped === key ? stripped : (stripped.split('/')[0] ?? stripped);
  return host === 'index.docker.io' ? 'docker.io' : host;
}

async function readIfThere(file: string): Promise<ConfigObject | undefined> {
  try {
    return await readConfig(file);
  } catch (error) {
    // /run/containers/<uid> of another user, or a folder we may not read: podman could not read it either.
    const errno = (error as { details?: { errno?: string } }).details?.errno;
    if (errno === 'EACCES' || errno === 'EPERM' || errno === 'ENOTDIR' || errno === 'EISDIR')
      return undefined;
    throw error;
  }
}

/**
 * The job's containers auth file: the first containers file of the search path that exists, as it is (byte
 * for byte when nothing is added), plus each `auths` entry the files after it hold for a registry the files
 * before them do not. `credHelpers` of the later files are not carried: one would route a registry of this
 * login away from the entry the login writes beside it.
 */
async function carryOverContainers(
  file: string,
  search: { readonly containers: readonly string[]; readonly docker?: string },
): Promise<void> {
  if (await exists(file)) return;
  const sources = [...search.containers, ...(search.docker === undefined ? [] : [search.docker])];
  const configs = await Promise.all(sources.map(readIfThere));
  const baseIndex = configs.findIndex(
    (config, index) => config !== undefined && index < search.containers.length,
  );
  const seen = new Set<string>();
  const auths: ConfigObject = {};
  let added = false;
  configs.forEach((config, index) => {
    const entries = isObject(config?.auths) ? config.auths : {};
    for (const [key, value] of Object.entries(entries)) {
      const registry = registryKey(key);
      if (seen.has(registry)) continue;
      seen.add(registry);
      auths[key] = value;
      if (index !== baseIndex) added = true;
    }
  });
  const base = sources[baseIndex];
  if (!added) {
    if (base !== undefined) await carryOver(base, file);
    return;
  }
  // The base file's layout and other keys are kept; only `auths` grows.
  const config = configs[baseIndex] ?? {};
  config.auths = auths;
  await writeConfigAtomic(file, config);
}

/** Not carried over: the config file itself, its lock and the temporary files of a writer. */
function isOwnFile(name: string, configName: string): boolean {
  return name === configName || name.startsWith(`${configName}.lock`) || isTempOf(configName, name);
}

/**
 * Links every other entry of the user's Docker directory into the job's (a junction for a folder on
 * Windows, where a symlink needs a privilege): a builder that docker/setup-buildx-action created earlier in
 * the job, the current context and CLI plugins stay where docker looks for them.
 */
async function linkSiblings(
  sourceDir: string,
  jobDir: string,
  configName: string,
  platform: NodeJS.Platform,
): Promise<void> {
  let names: string[];
  try {
    names = await readdir(sourceDir);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw writeFailed(sourceDir, error, 'read the directory');
  }
  for (const name of names) {
    if (isOwnFile(name, configName)) continue;
    const target = join(sourceDir, name);
    const link = join(jobDir, name);
    if (await exists(link)) continue;
    const isDirectory = (await lstat(target).catch(() => undefined))?.isDirectory() === true;
    try {
      await symlink(target, link, isDirectory ? 'junction' : 'file');
    } catch (error) {
      // A file symlink on Windows needs Developer Mode or a privilege: a copy serves a read-only file.
      if (platform !== 'win32' || isDirectory || errnoOf(error) !== 'EPERM') {
        throw writeFailed(link, error, 'link');
      }
      await copyFile(target, link);
    }
  }
}
