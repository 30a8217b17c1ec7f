import { AcrLoginError } from '../../errors.ts';
import { input } from '../../wording.ts';
import type { SdkKind } from '../auth-kind.ts';
import { firstLine, lower, optional } from '../auth-kind.ts';

/** The session of an Azure CLI that an earlier step logged in (`azure/login`, `az login`). */
export interface AzureCliIdentity {
  readonly type: 'azure-cli';
  readonly tenantId?: string;
}

export const azureCli: SdkKind<AzureCliIdentity> = {
  via: 'sdk',
  accepts: ['tenantId', 'tokenAudience'],
  overridable: ['tenantId'],
  build: (ctx) => ({ type: 'azure-cli', ...optional('tenantId', ctx.tenantId) }),
  keyParts: (identity) => [lower(identity.tenantId)],
  describe: () => 'the Azure CLI session',
  credential: (identity, sdk) => new sdk.AzureCliCredential(optional('tenantId', identity.tenantId)),
  unexplained: (_, error) =>
    new AcrLoginError(
      'AZURE_CLI_FAILED',
      `Could not get a token from the Azure CLI: ${firstLine(error)}. Run "az login" (or the azure/login action) earlier in the job, after installing the Azure CLI where the runner or agent has none, or pick another ${input('authType')}.`,
      { input: 'authType', cause: error },
    ),
};
