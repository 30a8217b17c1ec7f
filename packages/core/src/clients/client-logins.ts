import { dirname } from 'node:path';
import type { ClientKind, Logger } from '../types.ts';
import { basicCredentials } from '../util.ts';
import {
  type ConfigObject,
  ensureDirectory,
  isObject,
  readConfig,
  resolveTarget,
  writeConfigAtomic,
} from './config-file.ts';
import { setSectionValues } from './config-section-edit.ts';
import {
  createCredentialHelper,
  type HelperCredential,
  unreadableCredential,
} from './credential-store-program.ts';
import { createDockerCli, type DockerCli } from './docker-cli.ts';
import { confirmHelperCredential, type DockerLoginSaved } from './docker-cli-entries.ts';
import { DEFAULT_LOCK_TIMEOUT_MS, LONGEST_HOLD_MS, withLock } from './lock.ts';
import type { ClientLogin, WriteOptions, WrittenEntry } from './login-entry.ts';
import { CLIENT_FAMILY, clientFile, type FileFamily } from './paths.ts';
import { AUTHS, removeClientLogins } from './remove-client-logins.ts';

/** What `docker login` stores: base64 of `user:password`. */
export function authValue(login: ClientLogin): { auth: string } {
  return { auth: basicCredentials(login.username, login.password) };
}

/** The credential helper docker would use for `server`, if any: then an `auths` entry is ignored. */
export function credentialHelper(config: ConfigObject, server: string): string | undefined {
  const helpers = config.credHelpers;
  if (isObject(helpers)) {
    const helper = helpers[server];
    if (typeof helper === 'string' && helper !== '') return helper;
  }
  const store = config.credsStore;
  return typeof store === 'string' && store !== '' ? store : undefined;
}

interface FileGroup {
  /** The path clients read (maybe a symlink). */
  readonly configured: string;
  /** The file we edit. */
  readonly target: string;
  readonly clients: ClientKind[];
  /** Docker's own path to this file, when docker or oras read it: what `docker --config` needs. */
  dockerFile?: string;
}

async function groupFiles(
  clients: readonly ClientKind[],
  env: WriteOptions['env'],
): Promise<{ groups: FileGroup[]; files: Partial<Record<ClientKind, string>> }> {
  const files: Partial<Record<ClientKind, string>> = {};
  const byFamily = new Map<FileFamily, string>();
  const groups = new Map<string, FileGroup>();
  for (const client of clients) {
    const family = CLIENT_FAMILY[client];
    let configured = byFamily.get(family);
    if (configured === undefined) {
      configured = clientFile(family, env);
      byFamily.set(family, configured);
    }
    files[client] = configured;
    // Several clients may read one file (REGISTRY_AUTH_FILE pointing at Docker's): write it once.
    const target = await resolveTarget(configured);
    const group = groups.get(target) ?? { configured, target, clients: [] };
    groups.set(target, group);
    if (!group.clients.includes(client)) group.clients.push(client);
    if (family === 'docker') group.dockerFile = configured;
  }
  return { groups: [...groups.values()], files };
}

function maskStrings(value: unknown, logger: Logger): void {
  if (typeof value === 'string') {
    if (value.length >= 8) logger.mask(value);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) maskStrings(item, logger);
  }
}

/** What one group's write needs besides the group. */
interface GroupWrite {
  readonly logins: readonly ClientLogin[];
  readonly options: WriteOptions;
  readonly docker: DockerCli;
  /** Collects what was written, so that a failure can undo it. */
  readonly entries: WrittenEntry[];
}

/**
 * `docker login` for a server a credential helper owns. docker login replaces whatever the helper holds for
 * the server: read it first, so that logout can put it back. The helper masks its secret as it reads it (it
 * travels in the saved state).
 */
async function loginThroughHelper(
  group: FileGroup & { dockerFile: string },
  login: ClientLogin,
  helper: string,
  existing: ConfigObject | undefined,
  write: GroupWrite & { deadline: number },
): Promise<WrittenEntry> {
  const { options, deadline } = write;
  const server = login.loginServer;
  options.logger.debug(
    `"${server}" belongs to the credential helper "docker-credential-${helper}": running docker login`,
  );
  const store = createCredentialHelper(helper, { env: options.env, logger: options.logger, deadline });
  let before: HelperCredential | undefined;
  try {
    before = await store.get(server);
  } catch (error) {
    throw unreadableCredential(server, error);
  }
  const auths = isObject(existing?.auths) ? existing.auths : undefined;
  const marker = auths !== undefined && Object.hasOwn(auths, server) ? structuredClone(auths[server]) : null;
  const { username, password } = login;
  const configDir = dirname(group.dockerFile);
  await write.docker.login({ configDir, server, username, password, helper, deadline });
  const saved: DockerLoginSaved = {
    written: {
      credentialHelper: helper,
      digest: await confirmHelperCredential(store, login, options.logger),
    },
    previous: { credential: before ?? null, auths: marker },
  };
  return {
    client: group.clients[0] as ClientKind,
    method: 'docker-cli',
    // docker resolves its own config through --config; the helper, not the file, holds the secret.
    file: group.dockerFile,
    key: server,
    ...saved,
    createdFile: false,
    // docker login adds `auths` (with an empty marker for the server) when the file had none.
    ...(existing !== undefined && auths === undefined ? { createdAuths: true as const } : {}),
  };
}

/** Writes `logins` into the group's `auths`, keeping everything else in the file. */
async function writeToFile(
  group: FileGroup,
  logins: readonly ClientLogin[],
  logger: Logger,
  current?: ConfigObject,
) {
  const config: ConfigObject = current ?? {};
  const createdFile = current === undefined;
  const values = logins.map((login) => [login.loginServer, authValue(login)] as const);
  const edits = setSectionValues(config, createdFile, AUTHS, values);
  // The entry we replace is the user's credential and travels in the saved state: mask it too.
  for (const edit of edits) maskStrings(edit.previous, logger);
  await writeConfigAtomic(group.target, config);
  return edits.map(
    (edit): WrittenEntry => ({
      client: group.clients[0] as ClientKind,
      method: 'file',
      file: group.target,
      key: edit.key,
      written: edit.written,
      previous: edit.previous,
      createdFile,
      ...(edit.createdSection && !createdFile ? { createdAuths: true as const } : {}),
    }),
  );
}

/** One file's logins, under its lock: through a credential helper where one owns the server, else the file. */
async function writeGroup(group: FileGroup, write: GroupWrite): Promise<void> {
  const { logins, options } = write;
  // Every program run under the lock stops by then, so that waiters never wait longer than a hold.
  const deadline = Date.now() + LONGEST_HOLD_MS;
  const existing = await readConfig(group.target);
  const { dockerFile } = group;
  const viaFile: ClientLogin[] = [];
  for (const login of logins) {
    const helper =
      dockerFile === undefined || options.renewed?.includes(login.loginServer)
        ? undefined
        : credentialHelper(existing ?? {}, login.loginServer);
    if (helper === undefined || dockerFile === undefined) viaFile.push(login);
    else
      write.entries.push(
        await loginThroughHelper({ ...group, dockerFile }, login, helper, existing, { ...write, deadline }),
      );
  }
  if (viaFile.length === 0) return;
  // docker login rewrites the file itself: merge into what it left.
  const current = viaFile.length === logins.length ? existing : await readConfig(group.target);
  write.entries.push(...(await writeToFile(group, viaFile, options.logger, current)));
}

/**
 * Writes one `auths` entry per login server into the file of every client, under a lock, atomically, with
 * mode 0600, keeping everything else in the file. Registries owned by a Docker credential helper go through
 * `docker login` instead. On failure, whatever was already written is removed again before rethrowing.
 */
export async function writeClientLogins(
  clients: readonly ClientKind[],
  logins: readonly ClientLogin[],
  options: WriteOptions,
): Promise<{ entries: WrittenEntry[]; files: Partial<Record<ClientKind, string>> }> {
  const { groups, files } = await groupFiles(clients, options.env);
  // One entry per server: the last login for a server wins, as it would with repeated `docker login`.
  const unique = [...new Map(logins.map((login) => [login.loginServer, login])).values()];
  const entries: WrittenEntry[] = [];
  if (unique.length === 0) return { entries, files };
  const timeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const docker = options.dockerCli ?? createDockerCli({ env: options.env });
  try {
    for (const group of groups) {
      if (group.clients.length === 0) continue;
      options.logger.debug(
        `Writing ${unique.length} registry login(s) for ${group.clients.join(', ')} to "${group.target}"` +
          (group.target === group.configured ? '' : ` (the target of "${group.configured}")`),
      );
      await ensureDirectory(group.target);
      await withLock(`${group.target}.lock`, { timeoutMs, file: group.target }, () =>
        writeGroup(group, { logins: unique, options, docker, entries }),
      );
    }
  } catch (error) {
    // Leave no credentials behind that the caller has no state for; say so where that was not possible.
    if (entries.length > 0) {
      const cleanup = await removeClientLogins(entries, options);
      for (const left of cleanup.skipped) {
        options.logger.warning(
          `The login failed and could not remove ${left.key} from "${left.file}": ${left.reason}`,
        );
      }
    }
    throw error;
  }
  return { entries, files };
}
