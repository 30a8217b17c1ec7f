import { resolveTarget } from '../clients/config-file.ts';
import {
  byFile,
  type ConfigSection,
  emptyUndoResult,
  skipKeys,
  type UndoResult,
  undoSectionEdits,
  writeSectionValues,
} from '../clients/config-section-edit.ts';
import { DEFAULT_LOCK_TIMEOUT_MS } from '../clients/lock.ts';
import { errorMessage } from '../errors.ts';

/** One `credHelpers` entry the login wrote to send a server to our helper, and what it held before. */
export interface HelperRoute {
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

const CHANGED = 'the entry changed since the login (another login or a user wrote it); left as it is';

/** The `credHelpers` section: the credential helper each server's credentials come from. */
const CRED_HELPERS: ConfigSection = {
  name: 'credHelpers',
  label: (key) => `credHelpers.${key}`,
  gone: CHANGED,
  changed: CHANGED,
  emptyWhenOnly: ['auths', 'credHelpers'],
};

/**
 * Routes `servers` to the helper in every file (Docker's config.json, the containers auth file, helm's
 * registry config: all read `credHelpers`), under each file's lock, atomically, 0600. An `auths` entry for
 * the same server stays: clients that know `credHelpers` ignore it, others keep using it.
 */
export async function routeToHelper(
  files: readonly string[],
  servers: readonly string[],
  helper: string,
  lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<HelperRoute[]> {
  const routes: HelperRoute[] = [];
  if (servers.length === 0) return routes;
  const targets = [...new Set(await Promise.all(files.map((file) => resolveTarget(file))))];
  const values = servers.map((server) => [server, helper] as const);
  try {
    for (const file of targets) {
      const edits = await writeSectionValues(file, CRED_HELPERS, values, lockTimeoutMs);
      for (const { key: server, previous, createdFile, createdSection } of edits) {
        routes.push({ file, server, helper, previous, createdFile, createdCredHelpers: createdSection });
      }
    }
  } catch (error) {
    await removeHelperRoutes(routes, lockTimeoutMs);
    throw error;
  }
  return routes;
}

/**
 * Undoes `routeToHelper`: an entry still naming our helper gets the user's value back (or goes), and a
 * `credHelpers` object or file we created goes when nothing else is left in it. Reports, never throws.
 * Run it before `docker logout` of a credsStore-owned server: while our entry is there, docker would send
 * the logout to our helper instead of the user's store.
 */
export async function removeHelperRoutes(
  routes: readonly HelperRoute[],
  lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<UndoResult> {
  const result = emptyUndoResult();
  for (const [file, list] of byFile(routes)) {
    const edits = list.map((route) => ({
      ...route,
      key: route.server,
      written: route.helper,
      createdSection: route.createdCredHelpers,
    }));
    const createdSection = list.some((route) => route.createdCredHelpers);
    try {
      // A file whose folder was removed (a Docker@2 logout deletes the job's Docker folder) is nothing to undo.
      await undoSectionEdits(file, CRED_HELPERS, { file, edits, createdSection }, result, { lockTimeoutMs });
    } catch (error) {
      skipKeys(
        result,
        file,
        list.map((route) => CRED_HELPERS.label(route.server)),
        errorMessage(error),
      );
    }
  }
  return result;
}
