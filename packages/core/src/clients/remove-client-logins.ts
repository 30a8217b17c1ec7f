import { isDeepStrictEqual } from 'node:util';
import { errorMessage } from '../errors.ts';
import {
  type ConfigObject,
  isObject,
  readConfig,
  removeFile,
  resolveTarget,
  writeConfigAtomic,
} from './config-file.ts';
import { readHelperSaved, restoreHelper } from './docker-cli-entries.ts';
import { exists } from './fs.ts';
import { DEFAULT_LOCK_TIMEOUT_MS, LONGEST_HOLD_MS, withLock } from './lock.ts';
import type { WriteOptions, WrittenEntry } from './login-entry.ts';

export interface RemoveResult {
  restored: number;
  removed: number;
  skipped: { file: string; key: string; reason: string }[];
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
