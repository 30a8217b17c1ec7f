import { dirname } from 'node:path';
import type { ClientKind } from '../types.ts';
import { type ConfigObject, isObject } from './config-file.ts';
import {
  createCredentialHelper,
  type HelperCredential,
  unreadableCredential,
} from './credential-store-program.ts';
import { createDockerCli } from './docker-cli.ts';
import { confirmHelperCredential, type DockerLoginSaved } from './docker-cli-entries.ts';
import type { ClientLogin, FileGroup, GroupWrite, WrittenEntry } from './login-entry.ts';

/**
 * `docker login` for a server a credential helper owns. docker login replaces whatever the helper holds for
 * the server: read it first, so that logout can put it back. The helper masks its secret as it reads it (it
 * travels in the saved state).
 */
export async function loginThroughHelper(
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
  // A test's docker; else `docker` on PATH, started only for a server a credential helper owns.
  const docker = options.dockerCli ?? createDockerCli({ env: options.env });
  await docker.login({ configDir, server, username, password, helper, deadline });
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
