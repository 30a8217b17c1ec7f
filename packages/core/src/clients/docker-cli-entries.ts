import { errorMessage } from '../errors.ts';
import type { Logger } from '../types.ts';
import { isObject } from './config-file.ts';
import {
  type CredentialHelper,
  createCredentialHelper,
  credentialDigest,
  type HelperCredential,
  isCredential,
} from './credential-store-program.ts';
import type { ClientLogin, WriteOptions, WrittenEntry } from './login-entry.ts';

/**
 * Entries a credential helper holds (`credsStore`, `credHelpers`): what a login keeps of the helper's
 * credential, and how logout puts it back.
 */

/**
 * What a `docker-cli` entry keeps: the helper, a digest of what docker login left in it (to recognise it
 * at logout without keeping our own secret), and what was there before: the helper's credential, or null
 * for none, and the file's `auths` marker for the server, or null for none.
 */
export interface DockerLoginSaved {
  readonly written: { readonly credentialHelper: string; readonly digest: string | null };
  readonly previous: { readonly credential: HelperCredential | null; readonly auths: unknown };
}

/** docker stores an identity token under this user name when the registry hands one out at login. */
const IDENTITY_TOKEN_USER = '<token>';

/**
 * After `docker login`: makes sure the helper now hands out the new credential, and returns its digest (null
 * when the helper cannot say, and logout then trusts the entry). docker-credential-pass keeps one entry
 * per user name and answers with the first in sort order, so an older credential of another user can
 * still win: then the server's entries go and the new credential is stored alone.
 */
export async function confirmHelperCredential(
  store: CredentialHelper,
  login: ClientLogin,
  logger: Logger,
): Promise<string | null> {
  try {
    let held = await store.get(login.loginServer);
    if (held !== undefined && held.Username !== login.username && held.Username !== IDENTITY_TOKEN_USER) {
      logger.debug(
        `"${store.program}" still answers for "${login.loginServer}" with another user's credential: storing the new one alone`,
      );
      await store.erase(login.loginServer);
      await store.store({ ServerURL: login.loginServer, Username: login.username, Secret: login.password });
      held = await store.get(login.loginServer);
    }
    return held === undefined ? null : credentialDigest(held);
  } catch (error) {
    logger.debug(
      `Could not read back what "${store.program}" holds for "${login.loginServer}": ${errorMessage(error)}`,
    );
    return null;
  }
}

export function readDockerLoginSaved(entry: WrittenEntry): DockerLoginSaved | undefined {
  const { written, previous } = entry;
  if (!isObject(written) || typeof written.credentialHelper !== 'string') return undefined;
  if (written.digest !== null && typeof written.digest !== 'string') return undefined;
  if (!isObject(previous) || !Object.hasOwn(previous, 'credential')) return undefined;
  const credential = previous.credential;
  if (credential !== null && !isCredential(credential)) return undefined;
  return {
    written: written as DockerLoginSaved['written'],
    previous: previous as DockerLoginSaved['previous'],
  };
}

/**
 * Puts back what a helper held for `key` before the login: the user's credential, or nothing. A credential
 * that is not the one the login left (another login stored its own since) is left alone; an empty slot
 * (a `docker logout` ran) gets the user's credential back, as nothing anyone else wrote is overwritten.
 * Returns what it did, or why it left the helper as it is.
 */
export async function restoreHelper(
  key: string,
  saved: DockerLoginSaved,
  options: WriteOptions,
  deadline?: number,
): Promise<{ done: 'restored' | 'removed' | 'untouched' } | { left: string }> {
  const store = createCredentialHelper(saved.written.credentialHelper, {
    env: options.env,
    logger: options.logger,
    ...(deadline === undefined ? {} : { deadline }),
  });
  const { credential } = saved.previous;
  try {
    const current = await store.get(key);
    if (
      current !== undefined &&
      saved.written.digest !== null &&
      credentialDigest(current) !== saved.written.digest
    ) {
      return {
        left: `the credential in "${store.program}" changed since the login (another login stored it); left as it is`,
      };
    }
    if (credential !== null) {
      // Erase first: a helper keyed by user name as well (pass) would otherwise keep the login's entry.
      if (current !== undefined) await store.erase(key);
      await store.store(credential);
      return { done: 'restored' };
    }
    if (current === undefined) return { done: 'untouched' };
    await store.erase(key);
    return { done: 'removed' };
  } catch (error) {
    const lost =
      credential === null
        ? ''
        : ` The credential it held before the login (user "${credential.Username}") is not back: log in to ` +
          `${key} again with your own credential.`;
    return { left: `${errorMessage(error)}${lost}` };
  }
}
