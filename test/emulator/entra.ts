import { randomUUID, X509Certificate } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { type Request, sendJson } from './http.ts';
import type { Signer } from './keys.ts';
import {
  ACR_AUDIENCE,
  ACR_SCOPE,
  type App,
  ARM_SCOPES,
  AUTHORITY_HOSTS,
  type FederatedCredential,
  type Scenario,
} from './scenario.ts';

export const ENTRA_TOKEN_LIFETIME = 3599;
/** Entra tolerates this much clock skew in assertions (MSAL may set `nbf` a moment ahead). */
const CLOCK_SKEW = 300;

export interface EntraContext {
  readonly scenario: Scenario;
  readonly entraSigner: Signer;
  /** Issuers of federated tokens the emulator can verify: GitHub, Azure DevOps, the Kubernetes one. */
  readonly issuers: ReadonlyMap<string, Signer>;
}

export const ENTRA_HOSTS: ReadonlySet<string> = new Set(Object.values(AUTHORITY_HOSTS));

// The ARM scope each authority accepts; a custom (Azure Stack-like) authority accepts the public one.
const ARM_SCOPE_BY_HOST: Readonly<Record<string, string>> = {
  [AUTHORITY_HOSTS.AzureCloud]: ARM_SCOPES.AzureCloud,
  [AUTHORITY_HOSTS.AzureChinaCloud]: ARM_SCOPES.AzureChinaCloud,
  [AUTHORITY_HOSTS.AzureChinaCloudPartner]: ARM_SCOPES.AzureChinaCloud,
  [AUTHORITY_HOSTS.AzureUSGovernment]: ARM_SCOPES.AzureUSGovernment,
  [AUTHORITY_HOSTS.custom]: ARM_SCOPES.AzureCloud,
};

/** `scope` -> the `aud` of the token Entra issues, or undefined for a resource Entra does not know. */
export function audienceForScope(scope: string, host: string): string | undefined {
  if (scope === ACR_SCOPE) return ACR_AUDIENCE;
  if (scope === ARM_SCOPE_BY_HOST[host]) return scope.slice(0, -'.default'.length);
  // ARM's older resource id, which the Azure CLI asks for (note the double slash).
  if (scope === 'https://management.core.windows.net//.default' && host === AUTHORITY_HOSTS.AzureCloud) {
    return 'https://management.core.windows.net/';
  }
  return undefined;
}

class EntraError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    description: string,
  ) {
    super(description);
  }
}

function sendEntraError(r: Request, e: EntraError): void {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  sendJson(r.res, e.status, {
    error: e.error,
    error_description: `AADSTS${e.code}: ${e.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [e.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://${r.host}/error?code=${e.code}`,
  });
}

/** Sign an Entra access token for a principal (app or managed identity). */
export async function issueAccessToken(
  ctx: EntraContext,
  principal: { readonly clientId: string; readonly objectId: string },
  audience: string,
): Promise<string> {
  const tid = ctx.scenario.tenantId;
  return ctx.entraSigner.sign(
    {
      aud: audience,
      iss: `https://sts.windows.net/${tid}/`,
      tid,
      oid: principal.objectId,
      sub: principal.objectId,
      appid: principal.clientId,
      idtyp: 'app',
      ver: '1.0',
    },
    ENTRA_TOKEN_LIFETIME,
  );
}

function findApp(scenario: Scenario, clientId: string): App | undefined {
  return Object.values(scenario.apps).find((a) => a.clientId === clientId);
}

async function checkCertificateAssertion(app: App, assertion: string, tokenUrl: string): Promise<void> {
  const header = decodeProtectedHeader(assertion);
  const thumbprint = header['x5t#S256'] ?? header.x5t;
  if (
    typeof thumbprint !== 'string' ||
    app.certPem === undefined ||
    !app.certThumbprints?.includes(thumbprint)
  ) {
    throw new EntraError(
      401,
      'invalid_client',
      700027,
      `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${String(thumbprint)}']`,
    );
  }
  const key = new X509Certificate(app.certPem).publicKey;
  try {
    await jwtVerify(assertion, key, {
      algorithms: ['RS256', 'PS256'],
      issuer: app.clientId,
      subject: app.clientId,
      audience: tokenUrl,
      clockTolerance: CLOCK_SKEW,
    });
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new EntraError(
        401,
        'invalid_client',
        700024,
        'Client assertion is not within its valid time range.',
      );
    }
    throw new EntraError(
      401,
      'invalid_client',
      700027,
      `Client assertion failed signature validation. (${(error as Error).message})`,
    );
  }
}

async function checkFederatedAssertion(ctx: EntraContext, app: App, assertion: string): Promise<void> {
  const claims = decodeJwt(assertion);
  const records = app.federated.filter((f) => f.issuer === claims.iss);
  const signer = claims.iss === undefined ? undefined : ctx.issuers.get(claims.iss);
  if (records.length === 0 || signer === undefined) {
    throw new EntraError(
      400,
      'invalid_request',
      700211,
      `No matching federated identity record found for presented assertion issuer '${String(claims.iss)}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
    );
  }
  let payload: JWTPayload;
  try {
    payload = await signer.verify(assertion, { clockTolerance: CLOCK_SKEW });
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new EntraError(
        400,
        'invalid_client',
        700024,
        'Client assertion is not within its valid time range.',
      );
    }
    throw new EntraError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
  }
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
  const byAudience = records.filter((f: FederatedCredential) =>
    f.audiences.some((a) => audiences.includes(a)),
  );
  if (byAudience.length === 0) {
    throw new EntraError(
      400,
      'invalid_request',
      700212,
      `No matching federated identity record found for presented assertion audience '${audiences.join(',')}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
    );
  }
  if (!byAudience.some((f) => f.subject === payload.sub)) {
    throw new EntraError(
      400,
      'invalid_request',
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${String(payload.iss)}'. Assertion Subject: '${String(payload.sub)}'. Assertion Audience: '${audiences.join(',')}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
    );
  }
}

async function token(ctx: EntraContext, r: Request, tenant: string): Promise<void> {
  const form = r.form;
  const clientId = form.get('client_id') ?? '';
  if (form.get('grant_type') !== 'client_credentials') {
    throw new EntraError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${form.get('grant_type')}'.`,
    );
  }
  const app = findApp(ctx.scenario, clientId);
  if (app === undefined) {
    throw new EntraError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null) {
    if (app.secret === undefined || secret !== app.secret) {
      throw new EntraError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
  } else if (
    assertion !== null &&
    form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
  ) {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      throw new EntraError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
    }
    if (header.x5t !== undefined || header['x5t#S256'] !== undefined) {
      await checkCertificateAssertion(app, assertion, `https://${r.host}${r.url.pathname}`);
    } else {
      await checkFederatedAssertion(ctx, app, assertion);
    }
  } else {
    throw new EntraError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  const scopes = (form.get('scope') ?? '')
    .split(' ')
    .filter((s) => !['openid', 'profile', 'offline_access', ''].includes(s));
  const scope = scopes[0] ?? '';
  const audience = scopes.length === 1 ? audienceForScope(scope, r.host) : undefined;
  if (audience === undefined) {
    throw new EntraError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${scope.replace(/\/\.default$/, '')} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }
  sendJson(r.res, 200, {
    token_type: 'Bearer',
    expires_in: ENTRA_TOKEN_LIFETIME,
    ext_expires_in: ENTRA_TOKEN_LIFETIME,
    access_token: await issueAccessToken(ctx, app, audience),
  });
}

function openidConfiguration(host: string, tenant: string): Record<string, unknown> {
  const base = `https://${host}/${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `https://${host}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `https://${host}/${tenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid'],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'WW',
    cloud_instance_name: host.split('.').slice(1).join('.'),
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}

/** Microsoft Entra ID on every authority host the emulator serves. */
export async function handleEntra(ctx: EntraContext, r: Request): Promise<void> {
  r.service = 'entra';
  const [, tenant = '', ...rest] = r.url.pathname.split('/');
  const path = rest.join('/');
  try {
    if (path === 'discovery/instance') {
      sendJson(r.res, 200, {
        tenant_discovery_endpoint: `https://${r.host}/${ctx.scenario.tenantId}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: r.host, preferred_cache: r.host, aliases: [r.host] }],
      });
      return;
    }
    const knownTenant = tenant === ctx.scenario.tenantId || tenant === 'organizations' || tenant === 'common';
    if (!knownTenant) {
      throw new EntraError(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    if (r.method === 'GET' && path === 'v2.0/.well-known/openid-configuration') {
      sendJson(r.res, 200, openidConfiguration(r.host, tenant));
      return;
    }
    if (r.method === 'POST' && path === 'oauth2/v2.0/token') {
      if (tenant !== ctx.scenario.tenantId) {
        throw new EntraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
      }
      await token(ctx, r, tenant);
      return;
    }
    sendJson(r.res, 404, { error: 'not_found', error_description: `no such endpoint: ${r.url.pathname}` });
  } catch (error) {
    if (error instanceof EntraError) sendEntraError(r, error);
    else throw error;
  }
}
