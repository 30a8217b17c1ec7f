import { AcrLoginError } from '../../errors.ts';
import type { CertificateSource } from '../../types.ts';
import { input } from '../../wording.ts';
import type { BuildContext, DirectKind, IdentityContext, Proof } from '../auth-kind.ts';
import { lower, optional } from '../auth-kind.ts';
import { certificatePem, certificateSource } from '../certificate.ts';
import { certificateAssertion, loadCertificate, tokenEndpoint } from '../entra.ts';

/** An app registration with a client secret (also from `creds` JSON) or a certificate. */
export interface ServicePrincipalIdentity {
  readonly type: 'service-principal';
  readonly tenantId: string;
  readonly clientId: string;
  readonly secret?: string;
  readonly certificate?: CertificateSource;
  readonly certificatePassword?: string;
}

export const servicePrincipal: DirectKind<ServicePrincipalIdentity> = {
  via: 'direct',
  accepts: [
    'clientId',
    'tenantId',
    'clientSecret',
    'clientCertificate',
    'clientCertificatePassword',
    'creds',
    'tokenAudience',
  ],
  // A secret or certificate belongs to one app; a multi-tenant app may sign in to another tenant.
  overridable: ['tenantId'],
  build,
  keyParts: (identity) => [
    lower(identity.tenantId),
    lower(identity.clientId),
    identity.certificate === undefined ? 'secret' : `certificate:${identity.certificate.kind}`,
  ],
  describe: (identity) => `the app ${identity.clientId} in tenant ${identity.tenantId}`,
  // A secret is at hand: no promise, so the token request leaves in the caller's turn (see getEntraToken).
  proof(identity, ctx) {
    if (identity.secret !== undefined) return { proof: { kind: 'secret', secret: identity.secret } };
    if (identity.certificate === undefined) throw new Error('unreachable: no secret and no certificate');
    return certificateProof(identity, identity.certificate, ctx);
  },
};

/** A certificate proves itself by a signed assertion: read, parsed and signed first. */
async function certificateProof(
  identity: ServicePrincipalIdentity,
  source: CertificateSource,
  ctx: IdentityContext,
): Promise<Proof> {
  const pem = await certificatePem(source, identity.certificatePassword);
  const certificate = loadCertificate(pem, identity.certificatePassword);
  const audience = tokenEndpoint(ctx.cloud, identity.tenantId);
  const assertion = await certificateAssertion(certificate, identity.clientId, audience, ctx.clock.now());
  ctx.logger.mask(assertion);
  return { proof: { kind: 'assertion', assertion } };
}

function build(ctx: BuildContext): ServicePrincipalIdentity {
  const { creds } = ctx;
  if (creds !== undefined) {
    for (const [key, given, fromCreds] of [
      ['clientId', ctx.clientId, creds.clientId],
      ['tenantId', ctx.tenantId, creds.tenantId],
    ] as const) {
      if (given !== undefined && given.toLowerCase() !== fromCreds.toLowerCase()) {
        throw new AcrLoginError(
          'INPUT_CONFLICT',
          `${input(key)} is "${given}", but ${input('creds')} names another ${key === 'clientId' ? 'application' : 'tenant'}. Remove ${input(key)} (the one in ${input('creds')} is used) or make them equal.`,
          { input: key },
        );
      }
    }
    return {
      type: 'service-principal',
      clientId: creds.clientId,
      tenantId: creds.tenantId,
      secret: creds.clientSecret,
    };
  }
  const secret = ctx.value('clientSecret');
  const password = ctx.value('clientCertificatePassword');
  const pem = ctx.value('clientCertificate');
  const certificate = pem === undefined ? undefined : certificateSource(pem, password);
  const required = ctx.require(
    {
      clientId: ctx.clientId,
      tenantId: ctx.tenantId,
      ...(secret === undefined && certificate === undefined ? { clientSecret: undefined } : {}),
    },
    {
      clientSecret: {
        text: `${input('clientSecret')} or ${input('clientCertificate')} (or ${input('creds')})`,
        input: 'clientSecret',
      },
    },
  );
  return {
    type: 'service-principal',
    clientId: required.clientId,
    tenantId: required.tenantId,
    ...optional('secret', secret),
    ...optional('certificate', certificate),
    ...optional('certificatePassword', password),
  };
}
