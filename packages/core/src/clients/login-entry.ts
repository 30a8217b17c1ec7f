import type { ClientKind, Logger } from '../types.ts';
import type { ConfigSection } from './config-section-edit.ts';
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

/** The `auths` section: one entry per registry, `{ auth }`, that clients send as basic credentials. */
export const AUTHS: ConfigSection = {
  name: 'auths',
  label: (key) => key,
  gone: 'the entry was removed since the login (a logout ran); nothing to restore',
  changed: 'the entry changed since the login (another login wrote it); left as it is',
  emptyWhenOnly: ['auths'],
};

/** Clients that read one file, written once. */
export interface FileGroup {
  /** The path clients read (maybe a symlink). */
  readonly configured: string;
  /** The file we edit. */
  readonly target: string;
  readonly clients: ClientKind[];
  /** Docker's own path to this file, when docker or oras read it: what `docker --config` needs. */
  dockerFile?: string;
}

/** What one group's write needs besides the group. */
export interface GroupWrite {
  readonly logins: readonly ClientLogin[];
  readonly options: WriteOptions;
  /** Collects what was written, so that a failure can undo it. */
  readonly entries: WrittenEntry[];
}
