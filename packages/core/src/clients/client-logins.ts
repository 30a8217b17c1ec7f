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
import { LONGEST_HOLD_MS } from './hold-limit.ts';
import { DEFAULT_LOCK_TIMEOUT_MS, withLock } from './lock.ts';
import {
  AUTHS,
  type ClientLogin,
  type FileGroup,
  type GroupWrite,
  type WriteOptions,
  type WrittenEntry,
} from './login-entry.ts';
import { CLIENT_FAMILY, clientFile, type FileFamily } from './paths.ts';

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
    if (helper === undefined || dockerFile === undefined) {
      viaFile.push(login);
      continue;
    }
    // Only a server a credential helper owns loads the code that runs docker and the helper.
    const { loginThroughHelper } = await import('./credential-store-login.ts');
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
  try {
    for (const group of groups) {
      options.logger.debug(
        `Writing ${unique.length} registry login(s) for ${group.clients.join(', ')} to "${group.target}"` +
          (group.target === group.configured ? '' : ` (the target of "${group.configured}")`),
      );
      await ensureDirectory(group.target);
      await withLock(`${group.target}.lock`, { timeoutMs, file: group.target }, () =>
        writeGroup(group, { logins: unique, options, entries }),
      );
    }
  } catch (error) {
    // Leave no credentials behind that the caller has no state for; say so where that was not possible.
    if (entries.length > 0) {
      const { removeClientLogins } = await import('./remove-client-logins.ts');
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
