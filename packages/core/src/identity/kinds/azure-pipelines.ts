import { ERROR_TEXTS } from '../../error-texts.ts';
import { AcrLoginError, errorMessage } from '../../errors.ts';
import { input } from '../../wording.ts';
import type { SdkKind } from '../auth-kind.ts';
import { isGuid, lower } from '../auth-kind.ts';

/** How AzurePipelinesCredential reports an ID-token request to Azure DevOps that gave no token. */
const OIDC_REQUEST_FAILED =
  /AzurePipelinesCredential: Authentication Failed\. (?:oidcToken field not detected in the response|Received null token from OIDC request)\.?\s*Status code: (\d{3})/;

/**
 * The ID-token request failed before anything reached Microsoft Entra ID: the fix is on the Azure DevOps
 * side, so the first line says so. Undefined for any other failure.
 */
export function oidcRequestError(
  identity: AzurePipelinesIdentity,
  error: unknown,
): AcrLoginError | undefined {
  const status = OIDC_REQUEST_FAILED.exec(errorMessage(error))?.[1];
  if (status === undefined) return undefined;
  const connection = `service connection ${identity.serviceConnectionId}`;
  const refused = Number(status) < 500;
  return new AcrLoginError(
    'OIDC_FAILED',
    refused
      ? ERROR_TEXTS.OIDC_FAILED.pipelineTokenRefused(connection, status)
      : ERROR_TEXTS.OIDC_FAILED.pipelineTokenUnanswered(connection, status),
    { cause: error, details: { 'http status': status } },
  );
}

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
  unexplained: oidcRequestError,
};
