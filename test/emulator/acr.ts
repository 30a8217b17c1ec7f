import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { JWTPayload } from 'jose';
import { type Request, sendJson } from './http.ts';
import type { Signer } from './keys.ts';
import { ACR_ISSUER, type EmulatedRegistry } from './registry.ts';
import {
  ACR_AUDIENCE,
  REFRESH_TOKEN_USERNAME,
  type RegistryConfig,
  type RepositoryRole,
  type RepositoryRoleAssignment,
  type Role,
  type Scenario,
  type TokenLifetimes,
} from './scenario.ts';

export const ACCESS_TOKEN_LIFETIME = 4500;

export interface AcrContext {
  readonly scenario: Scenario;
  readonly entraSigner: Signer;
  /** Signs refresh tokens (ours alone: only this emulator reads them). */
  readonly acrSigner: Signer;
  /** Signs access tokens for docker-registry (`kid` = libtrust id of a key in its rootcertbundle). */
  readonly registrySigner: Signer;
  readonly backends: ReadonlyMap<string, EmulatedRegistry>;
  /** Read at each issue, so a test may change them while the emulator runs. */
  readonly lifetimes: TokenLifetimes;
  /** How far ahead of the real clock ACR checks a refresh token's expiry: tests of expiry need not wait. */
  readonly refreshClock: { aheadMs: number };
}

/** ARM's older resource id on the public cloud: ACR takes tokens for it too, and the Azure CLI sends them. */
const CLASSIC_ARM_AUDIENCE: Readonly<Record<string, string>> = {
  'https://management.azure.com/': 'https://management.core.windows.net/',
};

const ROLE_ACTIONS: Readonly<Record<Role, readonly string[]>> = { pull: ['pull'], push: ['pull', 'push'] };

class AcrError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

function unauthorized(message: string, detail?: unknown): AcrError {
  return new AcrError(401, 'UNAUTHORIZED', message, detail);
}

/** Who a token request speaks for, and which actions it may have on a repository. */
interface Grant {
  readonly subject: string;
  actions(repository: string): readonly string[];
}

const everywhere = (role: Role) => (): readonly string[] => ROLE_ACTIONS[role];

const REPOSITORY_ROLE_ACTIONS: Readonly<Record<RepositoryRole, readonly string[]>> = {
  Reader: ['pull'],
  Writer: ['pull', 'push'],
  Contributor: ['pull', 'push', 'delete'],
};

function admits(assignment: RepositoryRoleAssignment, repository: string): boolean {
  const condition = assignment.condition;
  if (condition === undefined) return true;
  const name = repository.toLowerCase();
  return (
    (condition.names ?? []).some((n) => n.toLowerCase() === name) ||
    (condition.prefixes ?? []).some((p) => name.startsWith(p.toLowerCase()))
  );
}

/** Has the principal any role that lets the exchange succeed? ABAC mode still accepts registry roles there. */
function hasAnyRole(registry: RegistryConfig, principalId: string): boolean {
  return (
    registry.roles.has(principalId) ||
    (registry.roleAssignmentMode === 'rbac-abac' &&
      registry.repositoryRoles.some((a) => a.principalId === principalId))
  );
}

/** What a principal may do per repository: its registry role, or in ABAC mode its repository roles alone. */
function principalActions(
  registry: RegistryConfig,
  principalId: string,
): (repository: string) => readonly string[] {
  if (registry.roleAssignmentMode === 'rbac') {
    const role = registry.roles.get(principalId);
    return role === undefined ? () => [] : everywhere(role);
  }
  return (repository) => [
    ...new Set(
      registry.repositoryRoles
        .filter((a) => a.principalId === principalId && admits(a, repository))
        .flatMap((a) => REPOSITORY_ROLE_ACTIONS[a.role]),
    ),
  ];
}

function challenge(registry: RegistryConfig): string {
  return `Bearer realm="https://${registry.loginServer}/oauth2/token",service="${registry.loginServer}"`;
}

async function exchange(ctx: AcrContext, registry: RegistryConfig, r: Request): Promise<void> {
  const form = r.form;
  const grantType = form.get('grant_type');
  if (grantType !== 'access_token' && grantType !== 'access_token_refresh_token') {
    throw new AcrError(400, 'UNSUPPORTED_GRANT_TYPE', `grant_type '${grantType}' is not supported`);
  }
  const service = form.get('service');
  if (service !== registry.loginServer) {
    throw new AcrError(400, 'INVALID_REQUEST', `service '${service}' does not match the login server`);
  }
  let claims: JWTPayload;
  try {
    claims = await ctx.entraSigner.verify(form.get('access_token') ?? '');
  } catch (error) {
    throw unauthorized('failed to verify the access token', { reason: (error as Error).message });
  }
  const tenant = form.get('tenant');
  if (tenant !== null && tenant !== claims.tid) {
    throw unauthorized(`the access token was issued for tenant '${String(claims.tid)}', not '${tenant}'`);
  }
  const audience = String(claims.aud);
  const armAudiences = [registry.armAudience, CLASSIC_ARM_AUDIENCE[registry.armAudience]];
  const armAudience = armAudiences.some((a) => a?.replace(/\/$/, '') === audience.replace(/\/$/, ''));
  if (armAudience && !registry.armAuthentication) {
    throw unauthorized(
      `Tokens with audience '${audience}' (ARM) are not accepted: authentication-as-arm is disabled for registry '${registry.loginServer}'. Request a token for '${ACR_AUDIENCE}/.default' instead.`,
    );
  }
  if (!armAudience && audience !== ACR_AUDIENCE) {
    throw unauthorized(`the access token has audience '${audience}', expected '${ACR_AUDIENCE}'`);
  }
  const role = registry.roles.get(String(claims.oid));
  if (!hasAnyRole(registry, String(claims.oid))) {
    throw unauthorized(
      `principal '${String(claims.oid)}' does not have a role on registry '${registry.loginServer}'`,
      { type: 'repository', resource: registry.loginServer },
    );
  }
  const refreshToken = await ctx.acrSigner.sign(
    {
      sub: String(claims.oid),
      iss: ACR_ISSUER,
      aud: registry.loginServer,
      version: '1.0',
      rid: randomUUID().replaceAll('-', ''),
      grant_type: 'refresh_token',
      appid: claims.appid,
      tenant: claims.tid,
      // ABAC mode: data rights are decided per repository at the token endpoint.
      permissions: {
        actions: registry.roleAssignmentMode === 'rbac' && role !== undefined ? [...ROLE_ACTIONS[role]] : [],
        notActions: [],
      },
      roles: [],
    },
    ctx.lifetimes.refreshToken,
  );
  sendJson(r.res, 200, { refresh_token: refreshToken });
}

async function grantForRefreshToken(
  ctx: AcrContext,
  registry: RegistryConfig,
  token: string,
): Promise<Grant> {
  let claims: JWTPayload;
  try {
    // jose checks `exp` with no tolerance: an expired refresh token is refused, as ACR refuses it.
    claims = await ctx.acrSigner.verify(token, {
      audience: registry.loginServer,
      currentDate: new Date(Date.now() + ctx.refreshClock.aheadMs),
    });
  } catch (error) {
    throw unauthorized('invalid refresh token', { reason: (error as Error).message });
  }
  const subject = String(claims.sub);
  if (!hasAnyRole(registry, subject)) throw unauthorized(`principal '${subject}' no longer has a role here`);
  return { subject, actions: principalActions(registry, subject) };
}

async function grantForPassword(
  ctx: AcrContext,
  registry: RegistryConfig,
  username: string,
  password: string,
): Promise<Grant> {
  if (username === REFRESH_TOKEN_USERNAME) return grantForRefreshToken(ctx, registry, password);
  if (
    registry.admin !== undefined &&
    username === registry.admin.username &&
    password === registry.admin.password
  ) {
    return { subject: username, actions: everywhere('push') };
  }
  const token = registry.tokens.find((t) => t.username === username && t.password === password);
  if (token !== undefined) {
    return {
      subject: username,
      actions: (repository) => [
        ...new Set((token.repositories[repository] ?? []).flatMap((role) => ROLE_ACTIONS[role])),
      ],
    };
  }
  throw unauthorized('authentication required, visit https://aka.ms/acr/authorization for more information.');
}

async function token(ctx: AcrContext, registry: RegistryConfig, r: Request): Promise<void> {
  const params = r.method === 'POST' ? r.form : r.url.searchParams;
  let grant: Grant;
  const authorization = r.req.headers.authorization;
  if (r.method === 'POST') {
    const grantType = params.get('grant_type');
    if (grantType === 'refresh_token') {
      grant = await grantForRefreshToken(ctx, registry, params.get('refresh_token') ?? '');
    } else if (grantType === 'password') {
      grant = await grantForPassword(
        ctx,
        registry,
        params.get('username') ?? '',
        params.get('password') ?? '',
      );
    } else {
      throw new AcrError(400, 'UNSUPPORTED_GRANT_TYPE', `grant_type '${grantType}' is not supported`);
    }
  } else if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    grant = await grantForPassword(ctx, registry, decoded.slice(0, colon), decoded.slice(colon + 1));
  } else if (registry.anonymousPull) {
    grant = { subject: '', actions: everywhere('pull') };
  } else {
    throw unauthorized(
      'authentication required, visit https://aka.ms/acr/authorization for more information.',
    );
  }
  const service = params.get('service') ?? registry.loginServer;
  // ABAC registries refuse wildcard repository scopes (acr-cli #501): there is no registry-wide grant to expand.
  const wildcard = params.getAll('scope').find((scope) => /(^|\s)repository:\*:/.test(scope));
  if (registry.roleAssignmentMode === 'rbac-abac' && wildcard !== undefined) {
    throw unauthorized(
      `wildcard scope '${wildcard}' is not supported on a registry with ABAC repository permissions`,
    );
  }
  const access = params
    .getAll('scope')
    .flatMap((s) => s.split(' '))
    .flatMap((scope) => {
      const first = scope.indexOf(':');
      const last = scope.lastIndexOf(':');
      const type = scope.slice(0, first);
      const name = scope.slice(first + 1, last);
      if (type !== 'repository' || first === last) return [];
      const allowed = grant.actions(name);
      const requested = scope.slice(last + 1).split(',');
      const actions = requested.includes('*') ? [...allowed] : requested.filter((a) => allowed.includes(a));
      return [{ type, name, actions }];
    });
  const accessToken = await ctx.registrySigner.sign(
    { iss: ACR_ISSUER, sub: grant.subject, aud: service, version: '1.0', grant_type: 'access_token', access },
    ACCESS_TOKEN_LIFETIME,
  );
  sendJson(r.res, 200, { access_token: accessToken });
}

/** Forward `/v2/*` to the registry's docker-registry process, streaming both ways. */
function forward(backend: EmulatedRegistry, r: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port: backend.port, method: r.method, path: r.req.url, headers: r.req.headers },
      (response) => {
        r.res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(r.res);
        response.once('end', resolve);
        response.once('error', reject);
      },
    );
    upstream.once('error', reject);
    r.req.pipe(upstream);
  });
}

/** The ACR endpoints of one login server: `/oauth2/exchange`, `/oauth2/token`, and `/v2/*`. */
export async function handleAcr(ctx: AcrContext, r: Request): Promise<void> {
  const registry = ctx.scenario.registries.get(r.host);
  const backend = ctx.backends.get(r.host);
  if (registry === undefined || backend === undefined) throw new Error(`not a registry: ${r.host}`);
  r.res.setHeader('x-ms-correlation-request-id', randomUUID());
  const path = r.url.pathname;
  try {
    if (path === '/v2' || path.startsWith('/v2/')) {
      r.service = 'registry';
      await forward(backend, r);
      return;
    }
    r.service = 'acr';
    if (path === '/oauth2/exchange' && r.method === 'POST') {
      await exchange(ctx, registry, r);
    } else if (path === '/oauth2/token' && (r.method === 'POST' || r.method === 'GET')) {
      await token(ctx, registry, r);
    } else {
      throw new AcrError(404, 'NOT_FOUND', `no such endpoint: ${r.method} ${path}`);
    }
  } catch (error) {
    if (!(error instanceof AcrError)) throw error;
    const headers: Record<string, string> =
      error.status === 401 ? { 'www-authenticate': challenge(registry) } : {};
    const body = {
      code: error.code,
      message: error.message,
      ...(error.detail === undefined ? {} : { detail: error.detail }),
    };
    sendJson(r.res, error.status, { errors: [body] }, headers);
  }
}
