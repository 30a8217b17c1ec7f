import { ERROR_TEXTS } from '../../error-texts.ts';
import { AcrLoginError, errorMessage } from '../../errors.ts';
import { readFile } from '../../fs-async.ts';
import { input } from '../../wording.ts';
import type { DirectKind } from '../auth-kind.ts';
import { lower } from '../auth-kind.ts';

/** Kubernetes workload identity: a projected service account token in AZURE_FEDERATED_TOKEN_FILE. */
export interface WorkloadIdentity {
  readonly type: 'workload-identity';
  readonly tenantId: string;
  readonly clientId: string;
  readonly tokenFile: string;
}

export const workloadIdentity: DirectKind<WorkloadIdentity> = {
  via: 'direct',
  accepts: ['clientId', 'tenantId', 'tokenAudience'],
  overridable: ['tenantId', 'clientId'],
  build(ctx) {
    // The workload identity webhook sets these variables; the inputs win when both are given.
    const fields = ctx.require(
      {
        clientId: ctx.clientId ?? ctx.checkClientId(ctx.env('AZURE_CLIENT_ID'), 'AZURE_CLIENT_ID'),
        tenantId: ctx.tenantId ?? ctx.checkTenantId(ctx.env('AZURE_TENANT_ID'), 'AZURE_TENANT_ID'),
        tokenFile: ctx.env('AZURE_FEDERATED_TOKEN_FILE'),
      },
      {
        clientId: { text: `${input('clientId')} (or AZURE_CLIENT_ID)`, input: 'clientId' },
        tenantId: { text: `${input('tenantId')} (or AZURE_TENANT_ID)`, input: 'tenantId' },
        tokenFile: {
          text: 'the AZURE_FEDERATED_TOKEN_FILE environment variable',
          input: 'AZURE_FEDERATED_TOKEN_FILE',
        },
      },
    );
    return { type: 'workload-identity', ...fields };
  },
  keyParts: (identity) => [lower(identity.tenantId), lower(identity.clientId), identity.tokenFile],
  describe: (identity) => `the app ${identity.clientId} in tenant ${identity.tenantId}`,
  async proof(identity) {
    let federated: string;
    try {
      federated = (await readFile(identity.tokenFile, 'utf8')).trim();
    } catch (error) {
      throw new AcrLoginError(
        'INPUT_INVALID',
        ERROR_TEXTS.INPUT_INVALID.unreadableTokenFile(
          identity.tokenFile,
          (error as NodeJS.ErrnoException).code ?? errorMessage(error),
        ),
        { input: 'AZURE_FEDERATED_TOKEN_FILE', cause: error },
      );
    }
    return { proof: { kind: 'assertion', assertion: federated }, federated };
  },
};
