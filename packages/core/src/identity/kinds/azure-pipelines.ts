import { AcrLoginError } from '../../errors.ts';
import { input } from '../../wording.ts';
import type { SdkKind } from '../kind.ts';
import { isGuid, lower } from '../kind.ts';

/** An Azure Pipelines workload identity federation service connection. */
export interface AzurePipelinesIdentity {
  readonly type: 'azure-pipelines';
  readonly tenantId: string;
  readonly clientId: string;
  readonly serviceConnectionId: string;
  readonly systemAccessToken: string;
}

export const azurePipelines: SdkKind<AzurePipelinesIdentity> = {
  via: 'sdk',
  accepts: ['clientId', 'tenantId', 'serviceConnectionId', 'tokenAudience'],
  // The service connection names one app.
  overridable: ['tenantId'],
  build(ctx) {
    const serviceConnectionId = ctx.value('serviceConnectionId');
    if (serviceConnectionId !== undefined && !isGuid(serviceConnectionId)) {
      throw new AcrLoginError(
        'INPUT_INVALID',
        `${input('serviceConnectionId')} is "${serviceConnectionId}", which is not a GUID. Give the id of the Azure Resource Manager service connection (shown in its URL as resourceId).`,
        { input: 'serviceConnectionId' },
      );
    }
    const fields = ctx.require({
      clientId: ctx.clientId,
      tenantId: ctx.tenantId,
      serviceConnectionId,
      systemAccessToken: ctx.value('systemAccessToken'),
    });
    return { type: 'azure-pipelines', ...fields };
  },
  keyParts: (identity) => [
    lower(identity.tenantId),
    lower(identity.clientId),
    lower(identity.serviceConnectionId),
  ],
  describe: (identity) => `the app ${identity.clientId} in tenant ${identity.tenantId}`,
  credential: (identity, sdk, options) =>
    new sdk.AzurePipelinesCredential(
      identity.tenantId,
      identity.clientId,
      identity.serviceConnectionId,
      identity.systemAccessToken,
      options,
    ),
};
