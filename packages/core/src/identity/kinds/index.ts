import type { EntraAuthType } from '../../types.ts';
import type { AuthKind } from '../auth-kind.ts';
import { type AzureCliIdentity, azureCli } from './azure-cli.ts';
import { type AzurePipelinesIdentity, azurePipelines } from './azure-pipelines.ts';
import { type ManagedIdentity, managedIdentity } from './managed-identity.ts';
import { type OidcIdentity, oidc } from './oidc.ts';
import { type ServicePrincipalIdentity, servicePrincipal } from './service-principal.ts';
import { type WorkloadIdentity, workloadIdentity } from './workload-identity.ts';

/** Every Microsoft Entra auth kind, in the order `auth-type` lists them. */
export const KINDS = {
  oidc,
  'azure-pipelines': azurePipelines,
  'service-principal': servicePrincipal,
  'managed-identity': managedIdentity,
  'workload-identity': workloadIdentity,
  'azure-cli': azureCli,
} as const satisfies Record<EntraAuthType, unknown>;

/** How to get an Entra token. */
export type Identity =
  | OidcIdentity
  | AzurePipelinesIdentity
  | ServicePrincipalIdentity
  | ManagedIdentity
  | WorkloadIdentity
  | AzureCliIdentity;

/** The descriptor of an identity's kind; each descriptor is only ever given identities of its own kind. */
export function kindOf(identity: Identity): AuthKind<Identity> {
  return KINDS[identity.type] as unknown as AuthKind<Identity>;
}

export function describeIdentity(identity: Identity): string {
  return kindOf(identity).describe(identity);
}

/** Equal for identities that can share one Entra token. Never contains a secret: it may be logged. */
export function identityKey(identity: Identity): string {
  return [identity.type, ...kindOf(identity).keyParts(identity)].join('|');
}
