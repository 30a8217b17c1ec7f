/**
 * A JWT's claims, unverified: what the login reads of tokens it was just given over TLS (expiry, ACR's
 * permissions, an OIDC subject). No signature is checked, so nothing here decides what to trust.
 */
export function decodeJwt(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TypeError('not a JWS compact serialization');
  const claims: unknown = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new TypeError('the JWT payload is not a JSON object');
  }
  return claims as Record<string, unknown>;
}

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
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const aud = Array.isArray(claims.aud) ? claims.aud.map(text).join(' ') : text(claims.aud);
    return { iss: text(claims.iss), sub: text(claims.sub), aud };
  } catch {
    return undefined;
  }
}
