import { AcrLoginError } from '@acr-login/core';
import type { ConnectionSummary, Localize } from './context.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** What the task knew when it failed; none of it secret. */
export interface FailureFacts {
  readonly connection?: ConnectionSummary | undefined;
  /** The `registry` input as given. */
  readonly registries: string;
}

/** The organisation name from `System.CollectionUri` (dev.azure.com/<org>/ or <org>.visualstudio.com). */
export function organisationName(collectionUri: string | undefined): string | undefined {
  if (collectionUri === undefined || collectionUri.trim() === '') return undefined;
  try {
    const url = new URL(collectionUri.trim());
    const host = url.hostname.toLowerCase();
    if (host.endsWith('.visualstudio.com')) return host.slice(0, -'.visualstudio.com'.length);
    return url.pathname.split('/').find((part) => part !== '');
  } catch {
    return undefined;
  }
}

/** The federated credential a WIF connection's app registration needs, as the agent's variables tell. */
export function federatedCredential(env: Env): { issuer: string; subject: string } {
  const organisationId = env.SYSTEM_COLLECTIONID?.trim() || '<organization id>';
  const organisation = organisationName(env.SYSTEM_COLLECTIONURI) ?? '<organization>';
  const project = env.SYSTEM_TEAMPROJECT?.trim() || '<project>';
  // The agent does not pass the connection's name, only its id.
  return {
    issuer: `https://vstoken.dev.azure.com/${organisationId}`,
    subject: `sc://${organisation}/${project}/<service connection name>`,
  };
}

const ENTRA_FAILURES = new Set(['ENTRA_AUTH_FAILED', 'OIDC_FAILED', 'OIDC_UNAVAILABLE']);
const ROLE_FAILURES = new Set(['ACR_EXCHANGE_DENIED', 'ACR_TOKEN_DENIED', 'REGISTRY_FORBIDDEN']);

/**
 * What the task adds under core's failure text: which connection and scheme were used and what to fix
 * on the Azure DevOps side.
 */
export function taskHints(error: unknown, facts: FailureFacts, env: Env, loc: Localize): string[] {
  const lines: string[] = [];
  const code = error instanceof AcrLoginError ? error.code : undefined;
  const { connection } = facts;
  const registries = facts.registries
    .split(/[\r\n,]+/)
    .map((r) => r.trim())
    .filter((r) => r !== '');
  if (connection !== undefined) {
    lines.push(loc('FailureContext', connection.id, connection.scheme, registries.join(', ') || '-'));
  }
  if (code === undefined) return lines;

  const scheme = connection?.scheme;
  // A refused ID-token request (OIDC_FAILED) never reached Entra: its first line already gives both fixes.
  if (scheme === 'WorkloadIdentityFederation' && ENTRA_FAILURES.has(code) && code !== 'OIDC_FAILED') {
    const { issuer, subject } = federatedCredential(env);
    lines.push(loc('HintWifFederation', connection?.clientId ?? '-', issuer, subject));
    lines.push(loc('HintWifAuthorise', connection?.id ?? '-'));
  }
  if (scheme === 'ServicePrincipal' && code === 'ENTRA_AUTH_FAILED') {
    lines.push(loc('HintSecret', connection?.id ?? '-'));
  }
  if (connection !== undefined && ROLE_FAILURES.has(code)) {
    lines.push(loc('HintRole', connection.clientId ?? 'system-assigned managed identity'));
  }
  if (code === 'MANAGED_IDENTITY_UNAVAILABLE') lines.push(loc('HintManagedIdentity'));
  return lines;
}
