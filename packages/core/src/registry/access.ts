import { AcrLoginError } from '../errors.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../http.ts';
import { decodeJwt } from '../jwt.ts';
import type { RegistryPlan } from '../plan/login-plan.ts';
import type { RepositoryAction, RepositoryRequest } from '../plan/repositories.ts';
import { input } from '../wording.ts';
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

/** The `access` output: `{ "<login server>/<repository>": ["pull","push"] }` of what was granted. */
export function accessOutput(results: readonly RepositoryAccess[]): Record<string, RepositoryAction[]> {
  return Object.fromEntries(results.map((r) => [`${r.loginServer}/${r.repository}`, [...r.granted]]));
}

/** The job summary's table: a header row, then one row per repository. */
export function accessTable(results: readonly RepositoryAccess[]): string[][] {
  return [
    ['Registry', 'Repository', 'Asked', 'Granted'],
    ...results.map((r) => [r.loginServer, r.repository, actionsText(r.asked), actionsText(r.granted)]),
  ];
}

/* ---------------------------------------------------------------- messages */

const actionsText = (actions: readonly string[]) => (actions.length === 0 ? 'nothing' : actions.join(', '));

function registryName(loginServer: string): string {
  return loginServer.split('.')[0] ?? loginServer;
}

function scopeArgument(loginServer: string): string {
  return `"$(az acr show --name ${registryName(loginServer)} --query id -o tsv)"`;
}

const REPOSITORY_ROLE = {
  pull: 'Container Registry Repository Reader',
  push: 'Container Registry Repository Writer',
};
const REGISTRY_ROLE = { pull: 'AcrPull', push: 'AcrPush' };
const DATA_ACTIONS = {
  pull: ['content/read', 'metadata/read'],
  push: ['content/read', 'metadata/read', 'content/write', 'metadata/write'],
};

/**
 * An ABAC condition that lets the role's data actions through only on `repositories` (Azure condition syntax
 * 2.0, `NOT` rather than `!` so that an interactive bash does not expand it).
 */
export function repositoryCondition(need: RepositoryAction, repositories: readonly string[]): string {
  const actions = DATA_ACTIONS[need]
    .map((a) => `NOT (ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/${a}'})`)
    .join(' AND ');
  const names = repositories
    .map(
      (r) =>
        `@Resource[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase '${r}'`,
    )
    .join(' OR ');
  return `((${actions}) OR (${names}))`;
}

/** `push` when any missing repository needs push, else `pull`. */
function neededRole(missing: readonly RepositoryAccess[]): RepositoryAction {
  return missing.some((m) => m.asked.includes('push') && !m.granted.includes('push')) ? 'push' : 'pull';
}

function quoted(items: readonly string[]): string {
  return items.map((i) => `"${i}"`).join(', ');
}

/** The fix in a few words for the first line, and the lines that spell it out. */
interface AccessFix {
  readonly summary: string;
  readonly lines: readonly string[];
}

function entraFix(
  target: AccessTarget,
  results: readonly RepositoryAccess[],
  missing: readonly RepositoryAccess[],
): AccessFix {
  const { loginServer, identity } = target;
  const assignee = identity.assignee ?? '<object id of the identity>';
  const need = neededRole(missing);
  const names = missing.map((m) => m.repository);
  const scopeArg = scopeArgument(loginServer);
  const abacCommand = `az role assignment create --assignee ${assignee} --role "${REPOSITORY_ROLE[need]}" --scope ${scopeArg} --condition-version 2.0 --condition "${repositoryCondition(need, names)}"`;
  // Registry-wide roles (AcrPull/AcrPush) grant the same on every repository: grants that differ between
  // repositories can only come from ABAC repository permissions with a condition.
  const differing = new Set(results.map((r) => r.granted.join(','))).size > 1;
  if (differing) {
    const granted = results.filter((r) => r.granted.length > 0).map((r) => r.repository);
    return {
      summary: `add ${quoted(names)} to the condition of its "${REPOSITORY_ROLE[need]}" assignment`,
      lines: [
        `This identity is granted different rights on different repositories (it has rights on ${quoted(granted)}), which registry-wide roles cannot do: the registry uses ABAC repository permissions, and the condition of the identity's "${REPOSITORY_ROLE[need]}" (or "Container Registry Repository Contributor") assignment leaves out ${quoted(names)}.`,
        `Fix: add ${quoted(names)} to that assignment's condition (Azure portal: the registry's Access control (IAM), Role assignments, the assignment's Condition), or create an assignment for ${names.length === 1 ? 'it' : 'them'}:`,
        `  ${abacCommand}`,
      ],
    };
  }
  return {
    summary: `grant it "${REGISTRY_ROLE[need]}" ("${REPOSITORY_ROLE[need]}" on a registry with ABAC repository permissions)`,
    lines: [
      `Fix: grant "${REGISTRY_ROLE[need]}" on the registry, or, if the registry uses ABAC repository permissions, "${REPOSITORY_ROLE[need]}" (with a condition for ${quoted(names)} if you scope it):`,
      `  az role assignment create --assignee ${assignee} --role ${REGISTRY_ROLE[need]} --scope ${scopeArg}`,
      `  ${abacCommand}`,
      `Which one applies depends on the registry's role assignment mode ("az acr show --name ${registryName(loginServer)} --query roleAssignmentMode"), which a registry login cannot read, so both are named: a registry with ABAC repository permissions ignores ${REGISTRY_ROLE[need]}. Role assignments can take a few minutes to apply.`,
    ],
  };
}

function isAdminUser(loginServer: string, username: string): boolean {
  return username.toLowerCase() === registryName(loginServer).toLowerCase();
}

function passwordFix(
  target: AccessTarget,
  username: string,
  missing: readonly RepositoryAccess[],
): AccessFix {
  const name = registryName(target.loginServer);
  if (isAdminUser(target.loginServer, username)) {
    return {
      summary: 'check the repository names',
      lines: [
        `Fix: the admin user has every right on a registry, so check the repository names; or log in with a repository-scoped token or a Microsoft Entra identity that has them.`,
      ],
    };
  }
  const scopeMap = `"$(az acr token show --registry ${name} --name ${username} --query scopeMapId -o tsv | xargs basename)"`;
  const names = quoted(missing.map((m) => m.repository));
  return {
    summary: `add ${names} to the scope map of the token "${username}"`,
    lines: [
      `Fix: "${username}" is a repository-scoped token, which may use only the repositories its scope map lists. Add ${names} to that scope map:`,
      ...missing.map(
        (m) =>
          `  az acr scope-map update --registry ${name} --name ${scopeMap} --add-repository ${m.repository} ${m.asked.includes('push') ? 'content/read content/write' : 'content/read'}`,
      ),
    ],
  };
}

function anonymousFix(missing: readonly RepositoryAccess[]): AccessFix {
  if (neededRole(missing) === 'push') {
    return {
      summary: 'log in with an identity that has "AcrPush"',
      lines: [
        `Fix: an anonymous login can only pull. To push, log in with an identity (${input('clientId')} and ${input('tenantId')} for OIDC) that has "AcrPush", or "Container Registry Repository Writer" on a registry with ABAC repository permissions.`,
      ],
    };
  }
  return {
    summary: 'check the repository names',
    lines: [
      'Fix: anonymous pull covers every repository of a registry that allows it; check the repository names, or log in with an identity that has "AcrPull" ("Container Registry Repository Reader" on a registry with ABAC repository permissions).',
    ],
  };
}

/** Undefined when everything asked is granted; else the error naming what is missing and the fix. */
export function accessMissingError(
  target: AccessTarget,
  results: readonly RepositoryAccess[],
): AcrLoginError | undefined {
  const missing = results.filter((r) => !isSatisfied(r));
  if (missing.length === 0) return undefined;
  const { identity, credential, loginServer } = target;
  const who = `${identity.description}${identity.oidcSubject === undefined ? '' : ` (OIDC subject "${identity.oidcSubject}")`}`;
  const fix =
    credential.type === 'refresh-token'
      ? entraFix(target, results, missing)
      : credential.type === 'password'
        ? passwordFix(target, credential.username, missing)
        : anonymousFix(missing);
  const lines = [
    `Registry "${loginServer}": ${who} lacks access that ${input('repositories')} asks for; fix: ${fix.summary}.`,
    ...missing.map(
      (m) =>
        `  ${m.repository}: asked ${actionsText(m.asked)}; granted ${actionsText(m.granted)}${m.refusal === undefined ? '' : ` (the registry refused: ${m.refusal})`}`,
    ),
    ...fix.lines,
  ];
  const details: Record<string, string> = { registry: loginServer };
  if (identity.assignee !== undefined) details['client id'] = identity.assignee;
  if (identity.oidcSubject !== undefined) details['OIDC subject'] = identity.oidcSubject;
  return new AcrLoginError('ACR_ACCESS_MISSING', lines.join('\n'), { input: 'repositories', details });
}

/* ---------------------------------------------------------------- orchestration */

async function checkTarget(
  http: HttpClient,
  target: AccessTarget,
  requests: readonly RepositoryRequest[],
  mask: (secret: string) => void,
): Promise<RepositoryAccess[]> {
  const repositories = requests.map((r) => r.repository);
  const granted = new Map<string, { actions: readonly RepositoryAction[]; refusal?: string }>();
  const ask = async (batch: readonly string[]): Promise<void> => {
    const res = await http.send(accessRequest(target, batch));
    maskToken(res, mask);
    const result = processAccessResponse(target.loginServer, batch, res);
    if (result.kind === 'granted') {
      for (const [repository, actions] of result.granted) granted.set(repository, { actions });
    } else if (batch.length > 1) {
      // A refused batch says nothing about which repository was refused: ask each alone.
      await Promise.all(batch.map((repository) => ask([repository])));
    } else {
      granted.set(batch[0] as string, { actions: [], refusal: result.reason });
    }
  };
  await Promise.all(accessRequests(target, repositories).map((batch) => ask(batch.repositories)));
  return requests.map((r) => {
    const g = granted.get(r.repository) ?? { actions: [] };
    return {
      loginServer: r.loginServer,
      repository: r.repository,
      asked: r.actions,
      granted: g.actions,
      ...(g.refusal === undefined ? {} : { refusal: g.refusal }),
    };
  });
}

function maskToken(res: HttpResponse, mask: (secret: string) => void): void {
  if (res.status !== 200) return;
  try {
    const token = (JSON.parse(res.body) as { access_token?: unknown }).access_token;
    if (typeof token === 'string' && token !== '') mask(token);
  } catch {
    // unreadable: processAccessResponse reports it
  }
}

/**
 * Checks every requested repository on its registry's target (registries in parallel) and returns what was
 * granted, in the order asked. Throws one `ACR_ACCESS_MISSING` error covering every registry with a gap.
 */
export async function checkAccess(
  http: HttpClient,
  targets: readonly AccessTarget[],
  requests: readonly RepositoryRequest[],
  mask: (secret: string) => void,
): Promise<RepositoryAccess[]> {
  const perTarget = await Promise.all(
    targets.map(async (target) => {
      const mine = requests.filter((r) => r.loginServer === target.loginServer);
      const results = mine.length === 0 ? [] : await checkTarget(http, target, mine, mask);
      return { target, results };
    }),
  );
  const errors = perTarget.flatMap(({ target, results }) => accessMissingError(target, results) ?? []);
  const [first] = errors;
  if (first !== undefined) {
    if (errors.length === 1) throw first;
    throw new AcrLoginError('ACR_ACCESS_MISSING', errors.map((e) => e.text).join('\n'), {
      input: 'repositories',
      details: first.details,
      cause: new AggregateError(errors),
    });
  }
  const byKey = new Map(
    perTarget.flatMap(({ results }) => results).map((r) => [`${r.loginServer}/${r.repository}`, r]),
  );
  return requests.flatMap((r) => byKey.get(`${r.loginServer}/${r.repository}`) ?? []);
}
