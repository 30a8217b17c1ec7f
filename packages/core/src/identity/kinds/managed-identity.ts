import { ERROR_TEXTS } from '../../error-texts.ts';
import { AcrLoginError } from '../../errors.ts';
import type { SdkKind } from '../auth-kind.ts';
import { firstLine, lower, optional } from '../auth-kind.ts';

/** The managed identity of the machine the step runs on (system-assigned, or a user-assigned one). */
export interface ManagedIdentity {
  readonly type: 'managed-identity';
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly resourceId?: string;
}

const RESOURCE_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i;

export const managedIdentity: SdkKind<ManagedIdentity> = {
  via: 'sdk',
  accepts: ['clientId', 'tenantId', 'managedIdentityResourceId', 'tokenAudience'],
  // Another user-assigned identity on the same machine; a managed identity has one tenant.
  overridable: ['clientId'],
  build(ctx) {
    const resourceId = ctx.value('managedIdentityResourceId');
    if (resourceId !== undefined && !RESOURCE_ID.test(resourceId)) {
      throw new AcrLoginError('INPUT_INVALID', ERROR_TEXTS.INPUT_INVALID.notManagedIdentityId(resourceId), {
        input: 'managedIdentityResourceId',
      });
    }
    return {
      type: 'managed-identity',
      ...optional('tenantId', ctx.tenantId),
      ...optional('clientId', ctx.clientId),
      ...optional('resourceId', resourceId),
    };
  },
  keyParts: (identity) => [lower(identity.tenantId), lower(identity.clientId), lower(identity.resourceId)],
  describe(identity) {
    if (identity.clientId !== undefined)
      return `the user-assigned managed identity with client id ${identity.clientId}`;
    if (identity.resourceId !== undefined) return `the user-assigned managed identity ${identity.resourceId}`;
    return 'the system-assigned managed identity of this machine';
  },
  credential(identity, sdk, options) {
    // Probe IMDS briefly first: without it the SDK retries an absent endpoint for a long time.
    const miOptions = { ...options, sendProbeRequest: true, retryOptions: { maxRetries: 2 } };
    if (identity.clientId !== undefined)
      return new sdk.ManagedIdentityCredential(identity.clientId, miOptions);
    if (identity.resourceId !== undefined) {
      return new sdk.ManagedIdentityCredential({ resourceId: identity.resourceId, ...miOptions });
    }
    return new sdk.ManagedIdentityCredential(miOptions);
  },
  unexplained: (identity, error) =>
    new AcrLoginError(
      'MANAGED_IDENTITY_UNAVAILABLE',
      ERROR_TEXTS.MANAGED_IDENTITY_UNAVAILABLE.noToken(managedIdentity.describe(identity), firstLine(error)),
      { input: 'authType', cause: error },
    ),
};
