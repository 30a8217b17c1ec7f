import { decodeJwt } from 'jose';

export interface TokenInfo {
  readonly expiresOn: Date | undefined;
  readonly issuedAt: Date | undefined;
  /** Allowed actions from ACR's `permissions` claim; ACR writes both `actions` and `Actions`. */
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function seconds(value: unknown): Date | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000) : undefined;
}

/**
 * Reads what we need from an ACR token without verifying it: we are not its audience, the registry is.
 * Returns undefined when the value is not a JWT (scope-map passwords, admin passwords).
 */
export function readTokenInfo(token: string): TokenInfo | undefined {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    return undefined;
  }
  const permissions = (claims.permissions ?? {}) as Record<string, unknown>;
  return {
    expiresOn: seconds(claims.exp),
    issuedAt: seconds(claims.iat),
    actions: stringList(permissions.actions ?? permissions.Actions),
    notActions: stringList(permissions.notActions ?? permissions.NotActions),
  };
}

/** Non-secret claims of a federated (OIDC) token, to explain a rejected assertion. */
export function readOidcClaims(token: string): { iss: string; sub: string; aud: string } | undefined {
  try {
    const claims = decodeJwt(token);
    const aud = Array.isArray(claims.aud) ? claims.aud.join(' ') : (claims.aud ?? '');
    return { iss: claims.iss ?? '', sub: claims.sub ?? '', aud };
  } catch {
    return undefined;
  }
}
