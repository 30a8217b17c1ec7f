import { ERROR_TEXTS } from '../../error-texts.ts';
import { AcrLoginError } from '../../errors.ts';
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
    new AcrLoginError('AZURE_CLI_FAILED', ERROR_TEXTS.AZURE_CLI_FAILED.noToken(firstLine(error)), {
      input: 'authType',
      cause: error,
    }),
};
