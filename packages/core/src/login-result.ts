import type { WrittenEntry } from './clients/login-entry.ts';
import type { RepositoryAccess } from './registry/access-protocol.ts';
import type { RegistryCredential } from './registry/credential.ts';
import type { ClientKind } from './types.ts';

/** Serialisable: the adapter stores it for the post step and passes it back to `logout`. */
export interface LoginState {
  readonly version: 1;
  readonly entries: readonly WrittenEntry[];
}

export interface LoginResult {
  readonly credentials: readonly RegistryCredential[];
  /** What the plan's repositories were granted, in the order asked; empty when none were listed. */
  readonly access: readonly RepositoryAccess[];
  /** The Docker config file written, when docker was configured. */
  readonly dockerConfig: string | undefined;
  /** The file each configured client reads, as written (several clients may share one). */
  readonly files: Readonly<Partial<Record<ClientKind, string>>>;
  readonly state: LoginState;
}
