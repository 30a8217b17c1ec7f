import type { Identity } from '../identity/kinds/index.ts';
import type { AuthType, ClientKind, Cloud, TokenAudience } from '../types.ts';
import type { RepositoryRequest } from './repositories.ts';

export type RegistryAuth =
  | { readonly type: 'entra'; readonly identity: Identity; readonly audience: TokenAudience }
  | { readonly type: 'username-password'; readonly username: string; readonly password: string }
  | { readonly type: 'anonymous' };

export interface RegistryPlan {
  /** Normalised host (lower case, no scheme, no path), e.g. `contoso.azurecr.io`. */
  readonly loginServer: string;
  readonly auth: RegistryAuth;
}

/** The validated, normalised result of `planLogin(inputs)`. Everything core does is driven by it. */
export interface LoginPlan {
  readonly cloud: Cloud;
  readonly authType: AuthType;
  /** Why this auth type, with input markers (`wording.ts`), for the log. */
  readonly reason: string;
  /** A likelier cause to add should the login fail (an empty secret made `auto` pick another type). */
  readonly note?: string;
  /** `auto` chose the machine's own managed identity because nothing else was given: the step says so. */
  readonly machineByDefault?: true;
  readonly registries: readonly RegistryPlan[];
  readonly clients: readonly ClientKind[];
  /** Repositories whose access the login checks before it writes anything; empty: no check. */
  readonly repositories: readonly RepositoryRequest[];
  /** Secret values taken from inputs; the adapter masks them before anything else happens. */
  readonly secrets: readonly string[];
}
