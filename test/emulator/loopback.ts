import { ENTRA_TOKEN_LIFETIME, type EntraContext, issueAccessToken } from './entra.ts';
import { type Request, sendJson } from './http.ts';
import type { Signer } from './keys.ts';
import {
  ACR_AUDIENCE,
  ADO_ISSUER,
  ADO_SERVICE_CONNECTION,
  ADO_SUBJECT,
  ARM_SCOPES,
  GITHUB_ISSUER,
  type ManagedIdentity,
  OIDC_AUDIENCE,
  type TokenLifetimes,
} from './scenario.ts';

/** Services clients reach over plain http on loopback: IMDS and the two CI OIDC token services. */
export interface LoopbackContext extends EntraContext {
  readonly githubSigner: Signer;
  readonly adoSigner: Signer;
  readonly githubRequestToken: string;
  readonly adoAccessToken: string;
  githubSubject: string;
  readonly lifetimes: TokenLifetimes;
}
const armAudiences = Object.values(ARM_SCOPES).map((s) => s.slice(0, -'.default'.length));

function imdsResourceAllowed(resource: string): boolean {
  const bare = resource.replace(/\/\.default$/, '').replace(/\/$/, '');
  return bare === ACR_AUDIENCE || armAudiences.some((a) => a.replace(/\/$/, '') === bare);
}

/** IMDS `GET /metadata/identity/oauth2/token[/]` (the path ends in `/` behind AZURE_POD_IDENTITY_AUTHORITY_HOST). */
export async function handleImds(ctx: LoopbackContext, r: Request): Promise<void> {
  r.service = 'imds';
  if (!/^\/metadata\/identity\/oauth2\/token\/?$/.test(r.url.pathname) || r.method !== 'GET') {
    sendJson(r.res, 404, { error: 'not_found', error_description: `no such endpoint: ${r.url.pathname}` });
    return;
  }
  if (r.req.headers.metadata !== 'true') {
    sendJson(r.res, 400, {
      error: 'invalid_request',
      error_description: 'Required metadata header not specified',
    });
    return;
  }
  const q = r.url.searchParams;
  const resource = q.get('resource');
  if (resource === null || q.get('api-version') === null) {
    sendJson(r.res, 400, {
      error: 'invalid_request',
      error_description: `Required query variable '${resource === null ? 'resource' : 'api-version'}' is missing`,
    });
    return;
  }
  const { systemMi, userMi } = ctx.scenario.managedIdentities;
  const selectors: Array<[string, keyof ManagedIdentity]> = [
    ['client_id', 'clientId'],
    ['object_id', 'objectId'],
    ['msi_res_id', 'resourceId'],
  ];
  let identity: ManagedIdentity | undefined = systemMi;
  for (const [param, field] of selectors) {
    const value = q.get(param);
    if (value !== null) identity = value.toLowerCase() === userMi[field]?.toLowerCase() ? userMi : undefined;
  }
  if (identity === undefined) {
    sendJson(r.res, 400, { error: 'invalid_request', error_description: 'Identity not found' });
    return;
  }
  if (!imdsResourceAllowed(resource)) {
    sendJson(r.res, 400, {
      error: 'invalid_resource',
      error_description: `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${ctx.scenario.tenantId}.`,
    });
    return;
  }
  const audience = resource.replace(/\/\.default$/, '');
  const now = Math.floor(Date.now() / 1000);
  sendJson(r.res, 200, {
    access_token: await issueAccessToken(ctx, identity, audience),
    client_id: identity.clientId,
    expires_in: String(ENTRA_TOKEN_LIFETIME),
    expires_on: String(now + ENTRA_TOKEN_LIFETIME),
    ext_expires_in: String(ENTRA_TOKEN_LIFETIME),
    not_before: String(now),
    resource,
    token_type: 'Bearer',
  });
}

function bearer(r: Request): string | undefined {
  const header = r.req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

/** GitHub Actions: `GET ${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=<aud>` -> `{"value": "<jwt>"}`. */
export async function handleGithub(ctx: LoopbackContext, r: Request): Promise<void> {
  r.service = 'github';
  if (bearer(r) !== ctx.githubRequestToken) {
    sendJson(r.res, 401, { message: 'Bad credentials' });
    return;
  }
  const audience = r.url.searchParams.get('audience') ?? OIDC_AUDIENCE;
  const [, owner = '', repo = ''] = /^repo:([^/]+)\/([^:]+):/.exec(ctx.githubSubject) ?? [];
  const value = await ctx.githubSigner.sign(
    {
      iss: GITHUB_ISSUER,
      sub: ctx.githubSubject,
      aud: audience,
      repository: `${owner}/${repo}`,
      repository_owner: owner,
      ref: 'refs/heads/main',
      event_name: 'push',
      runner_environment: 'github-hosted',
    },
    ctx.lifetimes.githubOidc,
  );
  sendJson(r.res, 200, { count: value.length, value });
}

/** Azure DevOps: `POST <SYSTEM_OIDCREQUESTURI>?api-version=7.1&serviceConnectionId=<id>` -> `{"oidcToken"}`. */
export async function handleAdo(ctx: LoopbackContext, r: Request): Promise<void> {
  r.service = 'ado';
  if (bearer(r) !== ctx.adoAccessToken) {
    sendJson(r.res, 401, { message: 'TF400813: The user is not authorized to access this resource.' });
    return;
  }
  const id = r.url.searchParams.get('serviceConnectionId');
  if (r.method !== 'POST' || id !== ADO_SERVICE_CONNECTION.id) {
    sendJson(r.res, 404, {
      $id: '1',
      innerException: null,
      message: `Service connection '${id}' was not found or you do not have permission to use it.`,
      typeName: 'Microsoft.VisualStudio.Services.ServiceEndpoints.WebApi.ServiceEndpointNotFoundException',
      typeKey: 'ServiceEndpointNotFoundException',
      errorCode: 0,
    });
    return;
  }
  const oidcToken = await ctx.adoSigner.sign(
    { iss: ADO_ISSUER, sub: ADO_SUBJECT, aud: OIDC_AUDIENCE },
    ctx.lifetimes.adoOidc,
  );
  sendJson(r.res, 200, { oidcToken });
}
