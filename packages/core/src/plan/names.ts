import { KINDS } from '../identity/kinds/index.ts';
import type { AuthType, ClientKind, EntraAuthType, LoginInputKey } from '../types.ts';

/** Auth types that need no Microsoft Entra identity. */
export const PLAIN_AUTH_TYPES = ['username-password', 'anonymous'] as const;

export const AUTH_TYPES: readonly AuthType[] = [
  ...(Object.keys(KINDS) as EntraAuthType[]),
  ...PLAIN_AUTH_TYPES,
];

export const CLIENT_KINDS: readonly ClientKind[] = ['docker', 'podman', 'helm', 'oras'];

/** Inputs whose values are secrets: masked before anything else happens. */
export const SECRET_INPUTS = [
  'clientSecret',
  'clientCertificatePassword',
  'creds',
  'password',
  'systemAccessToken',
] as const satisfies readonly LoginInputKey[];

export function isEntraAuthType(type: AuthType): type is EntraAuthType {
  return Object.hasOwn(KINDS, type);
}
