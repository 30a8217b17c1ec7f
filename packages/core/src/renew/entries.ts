import { isDeepStrictEqual } from 'node:util';
import {
  type ConfigObject,
  ensureDirectory,
  isObject,
  readConfig,
  removeFile,
  resolveTarget,
  writeConfigAtomic,
} from '../clients/config-file.ts';
import { exists } from '../clients/fs.ts';
import { DEFAULT_LOCK_TIMEOUT_MS, withLock } from '../clients/lock.ts';
import { errorMessage } from '../errors.ts';

/** One `credHelpers` entry the login wrote, and what it held before. */
export interface HelperEntry {
  /** The file edited (a symlink's target). */
  readonly file: string;
  readonly server: string;
  readonly helper: string;
  /** The user's value before, restored at logout; null when there was none. */
  readonly previous: unknown;
  readonly createdFile: boolean;
  /** The login added the `credHelpers` object; logout removes it again when left empty. */
  readonly createdCredHelpers: boolean;
}

export interface HelperEntryRemoval {
  removed: number;
  restored: number;
  skipped: { file: string; key: string; reason: string }[];
}

/**
 * Routes `servers` to the helper in every file (Docker's config.json, the containers auth file, helm's
 * registry config: all read `credHelpers`), under each file's lock, atomically, 0600. An `auths` entry for
 * the same server stays: clients that know `credHelpers` ignore it, others keep using it.
 */
export async function writeHelperEntries(
  files: readonly string[],
  servers: readonly string[],
  helper: string,
  lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<HelperEntry[]> {
  const entries: HelperEntry[] = [];
  if (servers.length === 0) return entries;
  const targets = [...new Set(await Promise.all(files.map((file) => resolveTarget(file))))];
  try {
    for (const target of targets) {
      await ensureDirectory(target);
      await withLock(`${target}.lock`, { timeoutMs: lockTimeoutMs, file: target }, async () => {
        const existing = await readConfig(target);
        const config: ConfigObject = existing ?? {};
        const createdCredHelpers = !isObject(config.credHelpers);
        if (createdCredHelpers) config.credHelpers = {};
        const helpers = config.credHelpers as ConfigObject;
        const pending: HelperEntry[] = [];
        servers.forEach((server, index) => {
          pending.push({
            file: target,
            server,
            helper,
            previous: Object.hasOwn(helpers, server) ? structuredClone(helpers[server]) : null,
            createdFile: existing === undefined,
            createdCredHelpers: createdCredHelpers && index === 0,
          });
          helpers[server] = helper;
        });
        await writeConfigAtomic(target, config);
        entries.push(...pending);
      });
    }
  } catch (error) {
    await removeHelperEntries(entries, lockTimeoutMs);
    throw error;
  }
  return entries;
}

function isEmpty(config: ConfigObject): boolean {
  return Object.keys(config).every(
    (key) =>
      (key === 'auths' || key === 'credHelpers') &&
      isObject(config[key]) &&
      Object.keys(config[key]).length === 0,
  );
}

/**
 * Undoes `writeHelperEntries`: an entry still naming our helper gets the user's value back (or goes), and a
 * `credHelpers` object or file we created goes when nothing else is left in it. Reports, never throws.
 * Run it before `docker logout` of a credsStore-owned server: while our entry is there, docker would send
 * the logout to our helper instead of the user's store.
 */
export async function removeHelperEntries(
  entries: readonly HelperEntry[],
  lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<HelperEntryRemoval> {
  const result: HelperEntryRemoval = { removed: 0, restored: 0, skipped: [] };
  const byFile = new Map<string, HelperEntry[]>();
  for (const entry of entries) byFile.set(entry.file, [...(byFile.get(entry.file) ?? []), entry]);
  for (const [file, list] of byFile) {
    try {
      // Its folder was removed (a Docker@2 logout deletes the job's Docker folder): nothing is left to undo,
      // and a lock could not be made there.
      if (!(await exists(file))) continue;
      await withLock(`${file}.lock`, { timeoutMs: lockTimeoutMs, file }, async () => {
        const config = await readConfig(file);
        if (config === undefined) return;
        const helpers = isObject(config.credHelpers) ? config.credHelpers : undefined;
        let changed = false;
        for (const entry of [...list].reverse()) {
          const current = helpers === undefined ? undefined : helpers[entry.server];
          if (helpers === undefined || !isDeepStrictEqual(current, entry.helper)) {
            result.skipped.push({
              file,
              key: `credHelpers.${entry.server}`,
              reason: 'the entry changed since the login (another login or a user wrote it); left as it is',
            });
            continue;
          }
          if (entry.previous === null || entry.previous === undefined) {
            delete helpers[entry.server];
            result.removed++;
          } else {
            helpers[entry.server] = structuredClone(entry.previous);
            result.restored++;
          }
          changed = true;
        }
        if (!changed) return;
        if (list.some((entry) => entry.createdCredHelpers) && helpers && Object.keys(helpers).length === 0) {
          delete config.credHelpers;
        }
        if (list.some((entry) => entry.createdFile) && isEmpty(config)) await removeFile(file);
        else await writeConfigAtomic(file, config);
      });
    } catch (error) {
      for (const entry of list) {
        result.skipped.push({ file, key: `credHelpers.${entry.server}`, reason: errorMessage(error) });
      }
    }
  }
  return result;
}
