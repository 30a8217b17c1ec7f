import type { ClientKind, Logger } from '../types.ts';
import type { DockerCli } from './docker-cli.ts';

/** What a client login writes for one registry. */
export interface ClientLogin {
  readonly loginServer: string;
  readonly username: string;
  readonly password: string;
}

export interface WriteOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  /** Runs `docker login` when a credential helper owns the registry; injectable for tests. */
  readonly dockerCli?: DockerCli;
  readonly lockTimeoutMs?: number;
  /**
   * Servers a renewal routes to its own credential helper right after the login: their login goes to the
   * file, never through the user's helper, which the job would not ask again and which may not be installed.
   */
  readonly renewed?: readonly string[];
}

/** One entry a login wrote into a client's file, and what that entry held before. */
export interface WrittenEntry {
  readonly client: ClientKind;
  /** `file`: we edited `file` ourselves; `docker-cli`: a credential helper owns it, `docker login` wrote it. */
  readonly method: 'file' | 'docker-cli';
  readonly file: string;
  readonly key: string;
  /** The exact JSON value written, to recognise it at logout (`docker-cli`: the helper and a digest). */
  readonly written: unknown;
  /**
   * The JSON value before the login, or null when there was none (`docker-cli`: the helper's credential
   * and the file's `auths` marker, see clients/client-logins.ts). It may hold the user's secret: mask it.
   */
  readonly previous: unknown;
  /** The login created `file`; logout deletes it again when nothing else was added to it since. */
  readonly createdFile: boolean;
  /** The login added the `auths` object to an existing file; logout removes it again when left empty. */
  readonly createdAuths?: boolean;
}
