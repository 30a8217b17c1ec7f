import type { AuthType } from '../types.ts';

export const ACR_REFRESH_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';

export interface RegistryCredential {
  readonly loginServer: string;
  readonly username: string;
  /** ACR refresh token, or the given password. Empty for anonymous. */
  readonly password: string;
  /** Expiry read from the refresh token's `exp`; undefined when unknown (admin user, anonymous). */
  readonly expiresOn: Date | undefined;
  readonly authType: AuthType;
  /** Human-readable identity, no secrets: e.g. `app 1234… in tenant abcd…`. */
  readonly identity: string;
  /** Entra scope that was exchanged, when any. */
  readonly audience?: string;
  /** `sub` of the federated token the login presented (OIDC, workload identity), for messages. */
  readonly oidcSubject?: string;
}
