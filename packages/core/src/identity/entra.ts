import { createHash, createPrivateKey, type KeyObject, randomUUID, X509Certificate } from 'node:crypto';
import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError } from '../errors.ts';
import type { HttpRequest, HttpResponse } from '../http.ts';
import type { Cloud } from '../types.ts';
import { input } from '../wording.ts';

/**
 * The OAuth 2.0 client credentials grant at Microsoft Entra ID's v2.0 token endpoint, for the identities
 * that need nothing more: a client secret, a certificate, or a federated assertion (GitHub OIDC, a
 * workload identity token file). It is one POST; doing it directly keeps @azure/identity (and its ~100 ms
 * load) off the common paths. Managed identities and the Azure CLI still go through @azure/identity.
 */

export type ClientProof =
  | { readonly kind: 'secret'; readonly secret: string }
  | { readonly kind: 'assertion'; readonly assertion: string };

export interface ClientCredentialsParams {
  readonly cloud: Cloud;
  readonly tenantId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly proof: ClientProof;
}

export function tokenEndpoint(cloud: Cloud, tenantId: string): string {
  return `${cloud.authorityHost}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
}

export function clientCredentialsRequest(params: ClientCredentialsParams): HttpRequest {
  const proof: Record<string, string> =
    params.proof.kind === 'secret'
      ? { client_secret: params.proof.secret }
      : {
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: params.proof.assertion,
        };
  return {
    method: 'POST',
    url: tokenEndpoint(params.cloud, params.tenantId),
    purpose: `Microsoft Entra token request at ${new URL(params.cloud.authorityHost).host}`,
    form: { client_id: params.clientId, grant_type: 'client_credentials', scope: params.scope, ...proof },
  };
}

export interface EntraTokenResponse {
  readonly token: string;
  readonly expiresOn: Date;
}

/** Entra's error, with the text the caller turns into an explanation; never holds a secret. */
export class EntraErrorResponse extends Error {
  override readonly name = 'EntraErrorResponse';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description === '' ? `HTTP ${status} ${error}` : description);
  }
}

export function processTokenResponse(res: HttpResponse, nowMs: number): EntraTokenResponse {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    // Not JSON: a proxy or gateway answered; reported below with the status.
  }
  if (res.status === 200 && typeof body.access_token === 'string' && body.access_token !== '') {
    const lifetime = Number(body.expires_in);
    return {
      token: body.access_token,
      expiresOn: new Date(nowMs + (Number.isFinite(lifetime) ? lifetime : 3600) * 1000),
    };
  }
  const error = typeof body.error === 'string' ? body.error : 'invalid_response';
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  // Support asks for these; Entra puts them in the JSON, and not always in the description.
  const labels = { trace_id: 'Trace ID', correlation_id: 'Correlation ID', timestamp: 'Timestamp' } as const;
  const facts = Object.entries(labels).flatMap(([field, label]) => {
    const value = body[field];
    return typeof value === 'string' && !description.includes(value) ? [`${label}: ${value}`] : [];
  });
  throw new EntraErrorResponse(
    res.status,
    error,
    [description, ...facts].filter((part) => part !== '').join(' '),
  );
}

export interface Certificate {
  readonly key: KeyObject;
  /** base64url SHA-1 thumbprint of the certificate that matches the key: the `x5t` Entra looks up. */
  readonly x5t: string;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Reads the private key and the certificate that belongs to it (a PEM may hold a whole chain). */
export function loadCertificate(pem: string, password: string | undefined): Certificate {
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: pem,
      format: 'pem',
      ...(password === undefined ? {} : { passphrase: password }),
    });
  } catch (error) {
    throw new AcrLoginError(
      'CERTIFICATE_INVALID',
      ERROR_TEXTS.CERTIFICATE_INVALID.unreadableKey(password !== undefined, (error as Error).message),
      { input: 'clientCertificate', cause: error },
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new AcrLoginError(
      'CERTIFICATE_INVALID',
      ERROR_TEXTS.CERTIFICATE_INVALID.notRsa(key.asymmetricKeyType ?? 'non-RSA'),
      { input: 'clientCertificate' },
    );
  }
  for (const block of pem.match(CERT_BLOCK) ?? []) {
    const cert = new X509Certificate(block);
    if (cert.checkPrivateKey(key)) {
      return { key, x5t: createHash('sha1').update(cert.raw).digest('base64url') };
    }
  }
  throw new AcrLoginError(
    'CERTIFICATE_INVALID',
    `No certificate in ${input('clientCertificate')} matches its private key. Put the certificate uploaded to the app registration and its own private key in one PEM: cat cert.pem key.pem.`,
    { input: 'clientCertificate' },
  );
}

/** The signed JWT that proves possession of the certificate (RFC 7523), as Entra documents it. */
export async function certificateAssertion(
  certificate: Certificate,
  clientId: string,
  audience: string,
  nowMs: number,
): Promise<string> {
  // jose only for this path: a secret or an OIDC login does not load it.
  const { SignJWT } = await import('jose');
  const now = Math.floor(nowMs / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: certificate.x5t })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 600)
    .sign(certificate.key);
}
