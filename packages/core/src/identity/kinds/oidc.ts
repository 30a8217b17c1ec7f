import { AcrLoginError, errorMessage } from '../../errors.ts';
import { stripControl } from '../../log-text.ts';
import { input } from '../../wording.ts';
import type { DirectKind } from '../auth-kind.ts';
import { lower } from '../auth-kind.ts';

/** GitHub Actions OIDC (or any CI token the host provides), presented as a federated assertion. */
export interface OidcIdentity {
  readonly type: 'oidc';
  readonly tenantId: string;
  readonly clientId: string;
  readonly audience: string;
}

export const oidc: DirectKind<OidcIdentity> = {
  via: 'direct',
  accepts: ['clientId', 'tenantId', 'audience', 'tokenAudience'],
  overridable: ['tenantId', 'clientId'],
  build(ctx) {
    const { clientId, tenantId } = ctx.require({ clientId: ctx.clientId, tenantId: ctx.tenantId });
    return { type: 'oidc', clientId, tenantId, audience: ctx.value('audience') ?? ctx.cloud.oidcAudience };
  },
  keyParts: (identity) => [lower(identity.tenantId), lower(identity.clientId), identity.audience],
  describe: (identity) => `the app ${identity.clientId} in tenant ${identity.tenantId}`,
  async proof(identity, ctx) {
    const provider = ctx.oidcToken;
    if (provider === undefined) {
      throw new AcrLoginError('OIDC_UNAVAILABLE', 'No OIDC token provider is available for OIDC.', {
        input: 'authType',
      });
    }
    let federated: string;
    try {
      federated = await provider(identity.audience);
    } catch (error) {
      if (error instanceof AcrLoginError) throw error;
      throw new AcrLoginError(
        'OIDC_FAILED',
        `Could not get an OIDC token for audience "${identity.audience}": ${stripControl(errorMessage(error))}. Check ${input('audience')}, or leave it empty for the cloud's default.`,
        { cause: error, input: 'audience' },
      );
    }
    ctx.logger.mask(federated);
    return { proof: { kind: 'assertion', assertion: federated }, federated };
  },
};
