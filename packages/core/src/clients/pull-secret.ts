import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AcrLoginError } from '../errors.ts';
import { open, rm } from '../fs-async.ts';
import { basicCredentials } from '../util.ts';
import { errnoOf } from './config-file.ts';
import { type OwnerOnlyOptions, restrictToOwner } from './owner-only.ts';

/**
 * A Kubernetes image pull secret's `.dockerconfigjson`, holding only the registries this step logged in to,
 * so `kubectl create secret generic ... --from-file=.dockerconfigjson=<file>` carries no other registry's
 * credentials (a hand-built one from ~/.docker/config.json drags them all in). Written only when the step's
`pullSecret` input asks for it, since it is a second copy of the credential; the post step removes it.
 */

function fileFailed(file: string, error: unknown, doing: string): AcrLoginError {
  const code = errnoOf(error);
  return new AcrLoginError(
    'CONFIG_WRITE_FAILED',
    `Cannot ${doing} "${file}": ${code}. The job's temp directory (RUNNER_TEMP on GitHub, Agent.TempDirectory on Azure Pipelines) must be writable by the user running the step.`,
    { cause: error, details: { file, errno: code } },
  );
}

export interface PullSecretLogin {
  readonly loginServer: string;
  readonly username: string;
  readonly password: string;
}

/** The file's text: `auths` entries with `username`, `password` and `auth` (kubelet and CRI read any of them). */
export function dockerConfigJson(logins: readonly PullSecretLogin[]): string {
  const auths: Record<string, { username: string; password: string; auth: string }> = {};
  for (const { loginServer, username, password } of logins) {
    auths[loginServer] = { username, password, auth: basicCredentials(username, password) };
  }
  return `${JSON.stringify({ auths }, null, 2)}\n`;
}

/**
 * Writes the file with mode 0600 under `dir` (the job's temp directory) and returns its path; undefined when
 * there is nothing to hold (anonymous logins only). The name is random and the file is created exclusively,
 * so a file or link planted at that path is never followed or overwritten.
 */
export async function writePullSecret(
  dir: string,
  logins: readonly PullSecretLogin[],
  ownerOnly: OwnerOnlyOptions = {},
): Promise<string | undefined> {
  const withCredentials = logins.filter((login) => login.password !== '');
  if (withCredentials.length === 0) return undefined;
  const file = join(dir, `acr-login-pull-secret-${randomBytes(8).toString('hex')}.json`);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'wx', 0o600);
    // The mode given to open is reduced by the umask only, never widened; chmod makes 0600 exact anyway.
    await handle.chmod(0o600);
    // Windows ignores the mode: an owner-only ACL before the credential goes in.
    await restrictToOwner(file, 'file', ownerOnly);
    await handle.writeFile(dockerConfigJson(withCredentials));
  } catch (error) {
    await handle?.close().catch(() => {});
    handle = undefined;
    await rm(file, { force: true }).catch(() => {});
    if (error instanceof AcrLoginError) throw error;
    throw fileFailed(file, error, 'write the pull secret file');
  } finally {
    await handle?.close();
  }
  return file;
}

/** Removes the file; `false` when it was already gone. Failures other than absence are reported as errors. */
export async function removePullSecret(file: string): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw fileFailed(file, error, 'remove the pull secret file');
  }
}
