import { errorMessage } from '../errors.ts';
import { resolveTarget } from './config-file.ts';
import {
  byFile,
  emptyUndoResult,
  type SectionEdit,
  skipKeys,
  type UndoResult,
  undoSectionEdits,
} from './config-section-edit.ts';
import { readDockerLoginSaved, restoreHelper } from './docker-cli-entries.ts';
import { DEFAULT_LOCK_TIMEOUT_MS } from './lock.ts';
import { AUTHS, type WriteOptions, type WrittenEntry } from './login-entry.ts';

function sectionEdit(entry: WrittenEntry): SectionEdit {
  return { ...entry, createdSection: entry.createdAuths === true };
}

/**
 * Puts back what credential helpers held before `docker login`, last written first, so that a server written
 * twice ends with its oldest value. Returns the `auths` markers of those back as they were, to put back too.
 */
async function restoreHelpers(
  entries: readonly WrittenEntry[],
  options: WriteOptions,
  result: UndoResult,
  deadline?: number,
): Promise<{ key: string; value: unknown }[]> {
  const markers: { key: string; value: unknown }[] = [];
  for (const entry of [...entries].reverse()) {
    const saved = readDockerLoginSaved(entry);
    if (saved === undefined) {
      const reason = 'the saved state does not say what the credential helper held before; left as it is';
      skipKeys(result, entry.file, [entry.key], reason);
      continue;
    }
    const outcome = await restoreHelper(entry.key, saved, options, deadline);
    if ('left' in outcome) {
      skipKeys(result, entry.file, [entry.key], outcome.left);
      continue;
    }
    if (outcome.done === 'restored') result.restored++;
    if (outcome.done === 'removed') result.removed++;
    markers.push({ key: entry.key, value: saved.previous.auths });
  }
  return markers;
}

/**
 * Undo `writeClientLogins`: each entry still holding what we wrote gets its previous value back (or goes),
 * an `auths` object or file we created goes when nothing else was added. An entry that changed since (a
 * later login) is left alone and reported in `skipped`. Never throws for one file: it reports and goes on.
 * Helper-owned entries go back first (the helper holds them outside the file, so even without the file).
 */
export async function removeClientLogins(
  entries: readonly WrittenEntry[],
  options: WriteOptions,
): Promise<UndoResult> {
  const result = emptyUndoResult();
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  for (const [file, list] of byFile(entries)) {
    const viaHelper = list.filter((entry) => entry.method === 'docker-cli');
    try {
      const target = await resolveTarget(file);
      const undo = {
        file,
        edits: list.filter((entry) => entry.method === 'file').map(sectionEdit),
        what: `${list.length} registry login(s)`,
        before: (deadline?: number) => restoreHelpers(viaHelper, options, result, deadline),
        createdSection: list.some((entry) => entry.createdAuths === true),
      };
      await undoSectionEdits(target, AUTHS, undo, result, { lockTimeoutMs, logger: options.logger });
    } catch (error) {
      skipKeys(
        result,
        file,
        list.map((entry) => entry.key),
        errorMessage(error),
      );
    }
  }
  return result;
}
