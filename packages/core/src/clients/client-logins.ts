import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { errorMessage } from '../errors.ts';
import type { ClientKind, Logger } from '../types.ts';
import { basicCredentials } from '../util.ts';
import {
  type ConfigObject,
  ensureDirectory,
  isObject,
  readConfig,
  removeFile,
  resolveTarget,
  writeConfigAtomic,
} from './config-file.ts';
import { createCredentialHelper, type HelperCredential, unreadableCredential } from './cred-helper.ts';
import { createDockerCli } from './docker-cli.ts';
import {
  confirmHelperCredential,
  type HelperSaved,
  readHelperSaved,
  restoreHelper,
} from './docker-cli-entries.ts';
import { exists } from './fs.ts';
import { DEFAULT_LOCK_TIMEOUT_MS, LONGEST_HOLD_MS, withLock } from './lock.ts';
import type { ClientLogin, WriteOptions, WrittenEntry } from './login-entry.ts';
import { CLIENT_FAMILY, clientFile, type FileFamily } from './paths.ts';

export interface RemoveResult {
  restored: number;
  removed: number;
  skipped: { file: string; key: string; reason: string }[];
}

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

/**
 * Writes one `auths` entry per login server into the file of every client, under a lock, atomically, with
 * mode 0600, keeping everything else in the file. Registries owned by a Docker credential helper go through
 * `docker login` instead. On failure, whatever was already written is removed again before rethrowing.
 */
function maskStrings(value: unknown, logger: Logger): void {
  if (typeof value === 'string') {
    if (value.length >= 8) logger.mask(value);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) maskStrings(item, logger);
  }
}

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
      const [client] = group.clients;
      if (client === undefined) continue;
      options.logger.debug(
        `Writing ${unique.length} registry login(s) for ${group.clients.join(', ')} to "${group.target}"` +
          (group.target === group.configured ? '' : ` (the target of "${group.configured}")`),
      );
      await ensureDirectory(group.target);
      await withLock(`${group.target}.lock`, { timeoutMs, file: group.target }, async () => {
        // Every program run under the lock stops by then, so that waiters never wait longer than a hold.
        const deadline = Date.now() + LONGEST_HOLD_MS;
        const existing = await readConfig(group.target);
        const { dockerFile } = group;
        const viaFile: ClientLogin[] = [];
        for (const login of unique) {
          const helper =
            dockerFile === undefined || options.renewed?.includes(login.loginServer)
              ? undefined
              : credentialHelper(existing ?? {}, login.loginServer);
          if (helper === undefined || dockerFile === undefined) {
            viaFile.push(login);
            continue;
          }
          const server = login.loginServer;
          options.logger.debug(
            `"${server}" belongs to the credential helper "docker-credential-${helper}": running docker login`,
          );
          // docker login replaces whatever the helper holds for the server: read it first, so that logout
          // can put it back. The helper masks its secret as it reads it (it travels in the saved state).
          const store = createCredentialHelper(helper, {
            env: options.env,
            logger: options.logger,
            deadline,
          });
          let before: HelperCredential | undefined;
          try {
            before = await store.get(server);
          } catch (error) {
            throw unreadableCredential(server, error);
          }
          const auths = isObject(existing?.auths) ? existing.auths : undefined;
          const marker =
            auths !== undefined && Object.hasOwn(auths, server) ? structuredClone(auths[server]) : null;
          await docker.login({
            configDir: dirname(dockerFile),
            server,
            username: login.username,
            password: login.password,
            helper,
            deadline,
          });
          const saved: HelperSaved = {
            written: {
              credentialHelper: helper,
              digest: await confirmHelperCredential(store, login, options.logger),
            },
            previous: { credential: before ?? null, auths: marker },
          };
          entries.push({
            client,
            method: 'docker-cli',
            // docker resolves its own config through --config; the helper, not the file, holds the secret.
            file: dockerFile,
            key: server,
            ...saved,
            createdFile: false,
            // docker login adds `auths` (with an empty marker for the server) when the file had none.
            ...(existing !== undefined && auths === undefined ? { createdAuths: true as const } : {}),
          });
        }
        if (viaFile.length === 0) return;
        // docker login rewrites the file itself: merge into what it left.
        const current = viaFile.length === unique.length ? existing : await readConfig(group.target);
        const config: ConfigObject = current ?? {};
        const createdFile = current === undefined;
        let createdAuths = false;
        if (!isObject(config.auths)) {
          config.auths = {};
          createdAuths = !createdFile;
        }
        const auths = config.auths as ConfigObject;
        const pending: WrittenEntry[] = [];
        for (const login of viaFile) {
          const written = authValue(login);
          const previous = Object.hasOwn(auths, login.loginServer)
            ? structuredClone(auths[login.loginServer])
            : null;
          // The entry we replace is the user's credential and travels in the saved state: mask it too.
          maskStrings(previous, options.logger);
          auths[login.loginServer] = written;
          pending.push({
            client,
            method: 'file',
            file: group.target,
            key: login.loginServer,
            written: structuredClone(written),
            previous,
            createdFile,
            ...(createdAuths ? { createdAuths: true as const } : {}),
          });
          createdAuths = false;
        }
        await writeConfigAtomic(group.target, config);
        entries.push(...pending);
      });
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

function isEmptyConfig(config: ConfigObject): boolean {
  const keys = Object.keys(config);
  if (keys.length === 0) return true;
  return keys.length === 1 && isObject(config.auths) && Object.keys(config.auths).length === 0;
}

/**
 * Undo `writeClientLogins`: each entry still holding what we wrote gets its previous value back (or goes),
 * an `auths` object or file we created goes when nothing else was added. An entry that changed since (a
 * later login) is left alone and reported in `skipped`. Never throws for one file: it reports and goes on.
 */
export async function removeClientLogins(
  entries: readonly WrittenEntry[],
  options: WriteOptions,
): Promise<RemoveResult> {
  const result: RemoveResult = { restored: 0, removed: 0, skipped: [] };
  const byFile = new Map<string, WrittenEntry[]>();
  for (const entry of entries) {
    const list = byFile.get(entry.file) ?? [];
    list.push(entry);
    byFile.set(entry.file, list);
  }
  const timeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const skipAll = (list: readonly WrittenEntry[], reason: string) => {
    for (const entry of list) result.skipped.push({ file: entry.file, key: entry.key, reason });
  };

  for (const [file, list] of byFile) {
    try {
      const target = await resolveTarget(file);
      // Helper entries first, last written first, so that a server written twice ends with its oldest value.
      const restoreHelpers = async (deadline?: number) => {
        const markers: { key: string; auths: unknown }[] = [];
        for (const entry of list.filter((item) => item.method === 'docker-cli').reverse()) {
          const saved = readHelperSaved(entry);
          if (saved === undefined) {
            skipAll(
              [entry],
              'the saved state does not say what the credential helper held before; left as it is',
            );
            continue;
          }
          const outcome = await restoreHelper(entry.key, saved, options, deadline);
          if ('left' in outcome) {
            skipAll([entry], outcome.left);
            continue;
          }
          if (outcome.done === 'restored') result.restored++;
          if (outcome.done === 'removed') result.removed++;
          markers.push({ key: entry.key, auths: saved.previous.auths });
        }
        return markers;
      };
      if (!(await exists(target))) {
        // The helper holds its credentials outside the file: they still go back.
        await restoreHelpers();
        options.logger.debug(`"${target}" no longer exists: nothing to remove from it`);
        continue;
      }
      options.logger.debug(`Removing ${list.length} registry login(s) from "${target}"`);
      await withLock(`${target}.lock`, { timeoutMs, file: target }, async () => {
        // Entries whose helper is back as it was: their `auths` marker goes back too, below. Under the lock,
        // the helper runs stop in time for waiters.
        const markers = await restoreHelpers(Date.now() + LONGEST_HOLD_MS);
        const fileEntries = list.filter((item) => item.method === 'file');
        if (fileEntries.length === 0 && markers.length === 0) return;
        let config: ConfigObject | undefined;
        try {
          config = await readConfig(target);
        } catch (error) {
          skipAll(fileEntries, errorMessage(error));
          return;
        }
        if (config === undefined) return;
        const auths = isObject(config.auths) ? config.auths : undefined;
        let changed = false;
        for (const { key, auths: marker } of markers) {
          if (auths === undefined) break;
          const current = Object.hasOwn(auths, key) ? auths[key] : null;
          if (isDeepStrictEqual(current, marker)) continue;
          if (marker === null) delete auths[key];
          else auths[key] = structuredClone(marker);
          changed = true;
        }
        for (const entry of [...fileEntries].reverse()) {
          const current =
            auths === undefined || !Object.hasOwn(auths, entry.key) ? undefined : auths[entry.key];
          if (current === undefined) {
            skipAll([entry], 'the entry was removed since the login (a logout ran); nothing to restore');
            continue;
          }
          if (!isDeepStrictEqual(current, entry.written)) {
            skipAll([entry], 'the entry changed since the login (another login wrote it); left as it is');
            continue;
          }
          if (auths === undefined) continue;
          if (entry.previous === null || entry.previous === undefined) {
            delete auths[entry.key];
            result.removed++;
          } else {
            auths[entry.key] = structuredClone(entry.previous);
            result.restored++;
          }
          changed = true;
        }
        if (!changed) return;
        if (list.some((entry) => entry.createdAuths === true) && auths && Object.keys(auths).length === 0) {
          delete config.auths;
        }
        if (fileEntries.some((entry) => entry.createdFile) && isEmptyConfig(config)) {
          options.logger.debug(`Deleting "${target}": the login created it and it holds nothing else`);
          await removeFile(target);
        } else {
          await writeConfigAtomic(target, config);
        }
      });
    } catch (error) {
      skipAll(list, errorMessage(error));
    }
  }
  return result;
}
