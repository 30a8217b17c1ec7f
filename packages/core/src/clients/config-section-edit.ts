import { isDeepStrictEqual } from 'node:util';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../types.ts';
import {
  type ConfigObject,
  ensureDirectory,
  isObject,
  readConfig,
  removeFile,
  writeConfigAtomic,
} from './config-file.ts';
import { exists } from './fs.ts';
import { LONGEST_HOLD_MS } from './hold-limit.ts';
import { withLock } from './lock.ts';

/**
 * One reversible edit of a section of a client's config file (`auths`, `credHelpers`): a login sets keys of
 * the section and remembers what each held; logout puts back only what still holds the login's value, and
 * drops the section and the file the login created once nothing else is in them.
 */

/** How one section of a config file is edited and reported. */
export interface ConfigSection {
  /** The section's key in the file. */
  readonly name: 'auths' | 'credHelpers';
  /** How a skipped key is named in the report. */
  readonly label: (key: string) => string;
  /** Why a key that is no longer there is left. */
  readonly gone: string;
  /** Why a key that no longer holds what the login wrote is left. */
  readonly changed: string;
  /** Sections that count as nothing when empty, when deciding whether a file the login created goes. */
  readonly emptyWhenOnly: readonly string[];
}

/** One key a login set in a section, and what it held before. */
export interface SectionEdit {
  readonly key: string;
  /** The exact JSON value written, to recognise it at logout. */
  readonly written: unknown;
  /** The value before the login, or null (or undefined) when there was none. */
  readonly previous: unknown;
  /** The login created the file. */
  readonly createdFile: boolean;
  /** The login added the section object (set on the first edit of a file only). */
  readonly createdSection: boolean;
}

/** What undoing edits did; `skipped` names each key left as it is, and why. */
export interface UndoResult {
  restored: number;
  removed: number;
  skipped: { file: string; key: string; reason: string }[];
}

export function emptyUndoResult(): UndoResult {
  return { restored: 0, removed: 0, skipped: [] };
}

/** Sets `values` in `section` of `config`, making the section when missing; returns each key's edit. */
export function setSectionValues(
  config: ConfigObject,
  createdFile: boolean,
  section: ConfigSection,
  values: readonly (readonly [key: string, value: unknown])[],
): SectionEdit[] {
  let createdSection = !isObject(config[section.name]);
  if (createdSection) config[section.name] = {};
  const target = config[section.name] as ConfigObject;
  return values.map(([key, value]) => {
    const previous = Object.hasOwn(target, key) ? structuredClone(target[key]) : null;
    target[key] = value;
    const edit = { key, written: structuredClone(value), previous, createdFile, createdSection };
    createdSection = false;
    return edit;
  });
}

/** Sets `values` in `section` of `target` under the file's lock, atomically, mode 0600, keeping the rest. */
export async function writeSectionValues(
  target: string,
  section: ConfigSection,
  values: readonly (readonly [key: string, value: unknown])[],
  lockTimeoutMs: number,
): Promise<SectionEdit[]> {
  await ensureDirectory(target);
  return withLock(`${target}.lock`, { timeoutMs: lockTimeoutMs, file: target }, async () => {
    const existing = await readConfig(target);
    const config: ConfigObject = existing ?? {};
    const edits = setSectionValues(config, existing === undefined, section, values);
    await writeConfigAtomic(target, config);
    return edits;
  });
}

/** The edits of one file to undo. */
export interface FileUndo {
  /** The file as the edits name it, for the report. */
  readonly file: string;
  readonly edits: readonly SectionEdit[];
  /** What is being removed, for the log: "2 registry login(s)". */
  readonly what?: string;
  /**
   * Work to do first, under the file's lock when there is a file (stopping by `deadline`): it returns keys to
   * set back to a value whatever they hold now (null: no entry).
   */
  readonly before?: (deadline?: number) => Promise<readonly { key: string; value: unknown }[]>;
  /** Some entry added the section object: it goes when left empty. */
  readonly createdSection: boolean;
}

export interface UndoOptions {
  readonly lockTimeoutMs: number;
  readonly logger?: Logger;
}

export function skipKeys(result: UndoResult, file: string, keys: readonly string[], reason: string): void {
  for (const key of keys) result.skipped.push({ file, key, reason });
}

/**
 * Undoes the edits of one file (`target`, already resolved): each key still holding what was written gets
 * its previous value back (or goes); others are reported in `result.skipped`. A file gone is nothing to
 * undo. Throws when the lock cannot be had or the file cannot be written; an unreadable file skips its edits.
 */
export async function undoSectionEdits(
  target: string,
  section: ConfigSection,
  undo: FileUndo,
  result: UndoResult,
  options: UndoOptions,
): Promise<void> {
  if (!(await exists(target))) {
    await undo.before?.();
    options.logger?.debug(`"${target}" no longer exists: nothing to remove from it`);
    return;
  }
  if (undo.what !== undefined) options.logger?.debug(`Removing ${undo.what} from "${target}"`);
  await withLock(`${target}.lock`, { timeoutMs: options.lockTimeoutMs, file: target }, async () => {
    // Under the lock, whatever `before` runs stops in time for waiters.
    const resets = (await undo.before?.(Date.now() + LONGEST_HOLD_MS)) ?? [];
    if (undo.edits.length === 0 && resets.length === 0) return;
    let config: ConfigObject | undefined;
    try {
      config = await readConfig(target);
    } catch (error) {
      skipKeys(
        result,
        undo.file,
        undo.edits.map((edit) => section.label(edit.key)),
        errorMessage(error),
      );
      return;
    }
    if (config === undefined) return;
    let values = isObject(config[section.name]) ? (config[section.name] as ConfigObject) : undefined;
    // A value to set back into a section someone removed since: the section comes back with it.
    if (values === undefined && config[section.name] === undefined && resets.some((r) => r.value !== null)) {
      values = {};
      config[section.name] = values;
    }
    const reset = values !== undefined && resetValues(values, resets);
    const undone = undoEdits(values, section, undo, result);
    if (reset || undone) await saveOrDelete(target, config, section, undo, options.logger);
  });
}

/** Sets each key back to its value (null: no entry); true when anything changed. */
function resetValues(values: ConfigObject, resets: readonly { key: string; value: unknown }[]): boolean {
  let changed = false;
  for (const { key, value } of resets) {
    const current = Object.hasOwn(values, key) ? values[key] : null;
    if (isDeepStrictEqual(current, value)) continue;
    if (value === null) delete values[key];
    else values[key] = structuredClone(value);
    changed = true;
  }
  return changed;
}

/** Undoes the edits, last written first, so that a key written twice ends with its oldest value. */
function undoEdits(
  values: ConfigObject | undefined,
  section: ConfigSection,
  undo: FileUndo,
  result: UndoResult,
): boolean {
  let changed = false;
  for (const edit of [...undo.edits].reverse()) {
    const label = [section.label(edit.key)];
    if (values === undefined || !Object.hasOwn(values, edit.key) || values[edit.key] === undefined) {
      skipKeys(result, undo.file, label, section.gone);
    } else if (!isDeepStrictEqual(values[edit.key], edit.written)) {
      skipKeys(result, undo.file, label, section.changed);
    } else {
      if (edit.previous === null || edit.previous === undefined) {
        delete values[edit.key];
        result.removed++;
      } else {
        values[edit.key] = structuredClone(edit.previous);
        result.restored++;
      }
      changed = true;
    }
  }
  return changed;
}

/** A file holds nothing when every key left is one of `sections`, empty. */
function holdsNothing(config: ConfigObject, sections: readonly string[]): boolean {
  return Object.keys(config).every(
    (key) => sections.includes(key) && isObject(config[key]) && Object.keys(config[key]).length === 0,
  );
}

async function saveOrDelete(
  target: string,
  config: ConfigObject,
  section: ConfigSection,
  undo: FileUndo,
  logger: Logger | undefined,
): Promise<void> {
  const values = config[section.name];
  if (undo.createdSection && isObject(values) && Object.keys(values).length === 0)
    delete config[section.name];
  if (undo.edits.some((edit) => edit.createdFile) && holdsNothing(config, section.emptyWhenOnly)) {
    logger?.debug(`Deleting "${target}": the login created it and it holds nothing else`);
    await removeFile(target);
  } else {
    await writeConfigAtomic(target, config);
  }
}

/** Entries by the file they name, in their order. */
export function byFile<T extends { readonly file: string }>(entries: readonly T[]): Map<string, T[]> {
  const files = new Map<string, T[]>();
  for (const entry of entries) files.set(entry.file, [...(files.get(entry.file) ?? []), entry]);
  return files;
}
