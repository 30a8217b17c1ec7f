import { AcrLoginError } from '../errors.ts';
import type { HttpRequest, HttpResponse } from '../http.ts';
import { decodeJwt } from '../jwt.ts';
import type { RegistryPlan } from '../plan/login-plan.ts';
import type { RepositoryAction } from '../plan/repositories.ts';
import { acrErrorText, unexpected } from './acr.ts';
import type { RegistryCredential } from './credential.ts';

/**
 * Repository access check: after the login, ask the registry's token endpoint what the credential is granted
 * on each repository the job names, and fail before the build when something is missing. Request building and
 * response processing are separate functions, as in `acr.ts`, so both are tested without a network.
 *
 * Every scope asks `pull,push` on one named repository: the access token's `access` claim then tells exactly
 * what is granted, for the check and for the `access` output. No wildcard is ever sent: ABAC registries refuse
 * `repository:*:*` outright.
 */

/**
 * Repositories per token request: ten cost two round trips per registry. Small batches keep the form and the
 * access token short, and bound the extra requests when a refused batch is asked again one by one.
 */
export const SCOPES_PER_REQUEST = 5;

export type AccessCredential =
  | { readonly type: 'refresh-token'; readonly refreshToken: string }
  /** Admin user or scope-map token. */
  | { readonly type: 'password'; readonly username: string; readonly password: string }
  | { readonly type: 'anonymous' };

/** Who logged in, for the message: nothing secret. */
export interface AccessIdentity {
  /** e.g. `the app 1234… in tenant abcd…`. */
  readonly description: string;
  /** The `--assignee` of a role assignment: the app or managed identity's client id, when known. */
  readonly assignee?: string;
  /** The federated token's `sub`, for OIDC and workload identity logins. */
  readonly oidcSubject?: string;
}

export interface AccessTarget {
  readonly loginServer: string;
  /** `service` from the registry's challenge. */
  readonly service: string;
  readonly credential: AccessCredential;
  readonly identity: AccessIdentity;
}

export interface AccessBatch {
  readonly request: HttpRequest;
  readonly repositories: readonly string[];
}

export interface RepositoryAccess {
  readonly loginServer: string;
  readonly repository: string;
  readonly asked: readonly RepositoryAction[];
  readonly granted: readonly RepositoryAction[];
  /** The registry's words when it refused the token request for this repository (HTTP 401/403). */
  readonly refusal?: string;
}

export type BatchResult =
  | { readonly kind: 'granted'; readonly granted: ReadonlyMap<string, readonly RepositoryAction[]> }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * The target for a registry the step logged in to: its credential as the clients got it, and who that is.
 */
export function accessTarget(registry: RegistryPlan, credential: RegistryCredential): AccessTarget {
  const { oidcSubject } = credential;
  const { loginServer } = credential;
  const identity: AccessIdentity = {
    description: credential.identity,
    ...(registry.auth.type === 'entra' &&
    'clientId' in registry.auth.identity &&
    registry.auth.identity.clientId !== undefined
      ? { assignee: registry.auth.identity.clientId }
      : {}),
    ...(oidcSubject === undefined ? {} : { oidcSubject }),
  };
  const accessCredential: AccessCredential =
    credential.authType === 'anonymous'
      ? { type: 'anonymous' }
      : credential.authType === 'username-password'
        ? { type: 'password', username: credential.username, password: credential.password }
        : { type: 'refresh-token', refreshToken: credential.password };
  // ACR names its login server as the token service (the challenge's `service`).
  return { loginServer, service: loginServer, credential: accessCredential, identity };
}

const scope = (repository: string) => `repository:${repository}:pull,push`;

/** One token request for `repositories` (at most `SCOPES_PER_REQUEST` of them), scopes repeated. */
export function accessRequest(target: AccessTarget, repositories: readonly string[]): HttpRequest {
  const origin = `https://${target.loginServer}`;
  const scopes = repositories.map(scope);
  const { credential } = target;
  const purpose = `repository access check at ${target.loginServer}`;
  if (credential.type === 'anonymous') {
    const query = new URLSearchParams({ service: target.service });
    for (const s of scopes) query.append('scope', s);
    return { method: 'GET', url: `${origin}/oauth2/token?${query.toString()}`, purpose };
  }
  const grant =
    credential.type === 'refresh-token'
      ? { grant_type: 'refresh_token', refresh_token: credential.refreshToken }
      : { grant_type: 'password', username: credential.username, password: credential.password };
  return {
    method: 'POST',
    url: `${origin}/oauth2/token`,
    purpose,
    form: { ...grant, service: target.service, scope: scopes },
  };
}

export function accessRequests(target: AccessTarget, repositories: readonly string[]): AccessBatch[] {
  const batches: AccessBatch[] = [];
  for (let i = 0; i < repositories.length; i += SCOPES_PER_REQUEST) {
    const slice = repositories.slice(i, i + SCOPES_PER_REQUEST);
    batches.push({ request: accessRequest(target, slice), repositories: slice });
  }
  return batches;
}

/** `["pull","push"]` from an `access` entry's actions; `*` means both. Other actions (delete) are not asked. */
function normaliseActions(actions: unknown): RepositoryAction[] {
  const list = Array.isArray(actions) ? actions.filter((a): a is string => typeof a === 'string') : [];
  const all = list.includes('*');
  return (['pull', 'push'] as const).filter((a) => all || list.includes(a));
}

export function processAccessResponse(
  loginServer: string,
  repositories: readonly string[],
  res: HttpResponse,
): BatchResult {
  if (res.status === 401 || res.status === 403) {
    return { kind: 'refused', reason: `HTTP ${res.status}${acrErrorText(res.body)}` };
  }
  if (res.status !== 200) throw unexpected(loginServer, 'the repository access check (/oauth2/token)', res);
  let access: unknown;
  try {
    const token = (JSON.parse(res.body) as { access_token?: unknown }).access_token;
    access = decodeJwt(String(token)).access;
  } catch (error) {
    throw new AcrLoginError(
      'REGISTRY_PROTOCOL',
      `"${loginServer}" answered the repository access check without a readable access token, so what it grants is unknown.`,
      { cause: error },
    );
  }
  const entries = Array.isArray(access)
    ? (access as { type?: unknown; name?: unknown; actions?: unknown }[])
    : [];
  const granted = new Map<string, RepositoryAction[]>();
  for (const repository of repositories) {
    const entry = entries.find((e) => e.type === 'repository' && e.name === repository);
    granted.set(repository, normaliseActions(entry?.actions));
  }
  return { kind: 'granted', granted };
}

export function isSatisfied(access: RepositoryAccess): boolean {
  return access.asked.every((action) => access.granted.includes(action));
}

/** Actions as a reader sees them: `pull, push`, or `nothing`. */
export const actionsText = (actions: readonly string[]): string =>
  actions.length === 0 ? 'nothing' : actions.join(', ');
