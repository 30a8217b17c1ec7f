import { AcrLoginError } from '../errors.ts';
import type { RepositoryAction } from '../plan/repositories.ts';
import { input } from '../wording.ts';
import { type AccessTarget, actionsText, isSatisfied, type RepositoryAccess } from './access-protocol.ts';

/**
 * What to tell the user when a repository lacks access: which role or permission gives it, for the way the
 * login authenticated (Entra identity, password or anonymous), with the command that grants it.
 */

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
