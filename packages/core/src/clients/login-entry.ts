import type { Logger } from '../types.ts';
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
