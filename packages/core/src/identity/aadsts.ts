import type { AuthType } from '../types.ts';
import { input } from '../wording.ts';

/**
 * Microsoft Entra ID answers with `AADSTS<number>: <text>`; its text says what failed, not what to change
 * in a pipeline. This table turns the codes CI logins meet into an explanation and a fix in the terms of
 * our inputs. Codes not listed return undefined: the caller shows Entra's own message.
 */

export interface OidcClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
}

export interface EntraErrorContext {
  readonly clientId?: string;
  readonly tenantId?: string;
  readonly authType: AuthType;
  /** Claims of the federated token that was presented, when there was one. */
  readonly oidcClaims?: OidcClaims;
  /** The cloud's default OIDC audience, named in the fix; `api://AzureADTokenExchange` when not given. */
  readonly defaultAudience?: string;
}

export interface EntraErrorExplanation {
  /** e.g. `AADSTS700016` */
  readonly code: string;
  readonly explanation: string;
  readonly fix: string;
}

type Explainer = (context: EntraErrorContext) => { explanation: string; fix: string };

const app = (c: EntraErrorContext) =>
  c.clientId === undefined ? 'the application' : `the application ${c.clientId}`;
const tenant = (c: EntraErrorContext) =>
  c.tenantId === undefined ? 'the tenant' : `the tenant ${c.tenantId}`;

/** Where the subject a federated credential must name comes from, for each CI that presents one. */
const SUBJECT_FORMS: Partial<Record<AuthType, string>> = {
  oidc: ' On GitHub the subject depends on the trigger: a job with an environment gets repo:<owner>/<repo>:environment:<name>, a pull request repo:<owner>/<repo>:pull_request, otherwise repo:<owner>/<repo>:ref:<ref>.',
  'azure-pipelines':
    " On Azure Pipelines the service connection's Workload Identity federation details show the issuer and subject the credential must name.",
  'workload-identity':
    ' On Kubernetes the subject is system:serviceaccount:<namespace>:<service account name>.',
};

function federatedMismatch(part: 'record' | 'issuer' | 'subject' | 'audience'): Explainer {
  return (c) => {
    const claims = c.oidcClaims;
    const what =
      part === 'record' ? 'no federated credential' : `no federated credential with the token's ${part}`;
    const presented =
      claims === undefined
        ? "The federated credential's issuer, subject and audience must equal the token's iss, sub and aud claims exactly (case-sensitive)."
        : `The token presented has issuer "${claims.iss}", subject "${claims.sub}" and audience "${claims.aud}"; a federated credential must match all three exactly (case-sensitive).`;
    const parameters =
      claims === undefined
        ? '{"name":"acr-login","issuer":"<iss>","subject":"<sub>","audiences":["<aud>"]}'
        : JSON.stringify({
            name: 'acr-login',
            issuer: claims.iss,
            subject: claims.sub,
            audiences: [claims.aud],
          });
    const audienceHint =
      part === 'audience'
        ? ` Or set the ${input('audience')} input to the audience the federated credential names (the default is ${c.defaultAudience ?? 'api://AzureADTokenExchange'}).`
        : '';
    const subjectHint = part === 'subject' || part === 'record' ? (SUBJECT_FORMS[c.authType] ?? '') : '';
    return {
      explanation: `${what} of ${app(c)} matches the presented OIDC token. ${presented}`,
      fix: `Add a federated credential to the app registration (Certificates & secrets > Federated credentials), or run: az ad app federated-credential create --id ${c.clientId ?? '<client-id>'} --parameters '${parameters}'.${subjectHint}${audienceHint}`,
    };
  };
}

function issuerUnreachable(c: EntraErrorContext): { explanation: string; fix: string } {
  const issuer = c.oidcClaims?.iss ?? 'the issuer';
  return {
    explanation: `Microsoft Entra ID could not fetch the OpenID configuration or signing keys of ${issuer}: a federated credential works only with an issuer Entra can reach from the internet, and a private GitHub Enterprise Server or cluster issuer is not.`,
    fix: `Publish ${issuer === 'the issuer' ? "the issuer's" : `${issuer}'s`} /.well-known/openid-configuration and its jwks_uri where Entra can reach them (for GitHub Enterprise Server: https://HOST/_services/token), or sign in another way: a service principal, or a self-hosted runner with a managed identity.`,
  };
}

const EXPLAINERS: Readonly<Record<string, Explainer>> = {
  '700016': (c) => ({
    explanation: `${app(c)} was not found in ${tenant(c)}: ${input('clientId')} or ${input('tenantId')} is wrong, or the app is multi-tenant and this tenant has not consented to it.`,
    fix: `Copy ${input('clientId')} from the Application (client) ID and ${input('tenantId')} from the Directory (tenant) ID on the app registration's Overview page (not the object ID). For an app from another tenant, an administrator of this tenant must grant consent so it gets a service principal here.`,
  }),
  '7000215': () => ({
    explanation:
      'the client secret is not valid for this application: it is a wrong value, the secret ID, or an expired or deleted secret.',
    fix: `Set ${input('clientSecret')} (or clientSecret in ${input('creds')}) to the secret's Value, shown only once when it was created, not its Secret ID. If the value is lost, create a new client secret and update the CI secret.`,
  }),
  '7000222': () => ({
    explanation: 'the client secret has expired.',
    fix: 'Create a new client secret (Certificates & secrets, or az ad app credential reset --id <client-id> --append) and update the CI secret that holds it; or switch to OIDC, which needs no secret.',
  }),
  '700027': () => ({
    explanation:
      "the client assertion's signature is not valid: the certificate is not uploaded to the app registration, or the private key does not belong to it.",
    fix: `Upload the public certificate (the CERTIFICATE part of ${input('clientCertificate')}) to the app registration under Certificates & secrets > Certificates, and check its thumbprint matches; ${input('clientCertificate')} must hold that certificate and its own private key.`,
  }),
  '70021': federatedMismatch('record'),
  '700213': federatedMismatch('subject'),
  '700211': federatedMismatch('issuer'),
  '700212': federatedMismatch('audience'),
  '700024': (c) => ({
    explanation:
      c.authType === 'workload-identity'
        ? 'the federated token read from AZURE_FEDERATED_TOKEN_FILE is expired or not yet valid.'
        : "the client assertion is outside its valid time range: it expired before it reached Entra ID, or the machine's clock is off.",
    fix:
      c.authType === 'workload-identity'
        ? 'Check that the projected service account token is being refreshed and that the node clock is synchronised.'
        : 'Synchronise the runner or agent clock (NTP), and run the login right before the steps that need it rather than after a long wait.',
  }),
  '50001': (c) => ({
    explanation: `the resource asked for does not exist or is disabled in ${tenant(c)}: usually a token for another cloud, or ${input('tokenAudience')} set to arm where ARM tokens cannot be used.`,
    fix: `Check that ${input('environment')} matches the cloud of the registry and the tenant (AzureCloud, AzureChinaCloud, AzureUSGovernment), and set ${input('tokenAudience')} to acr (the default).`,
  }),
  '500011': (c) => ({
    explanation: `${tenant(c)} has no service principal for the resource asked for (Azure Container Registry or Azure Resource Manager): the tenant is not the registry's, or it belongs to another cloud.`,
    fix: `Set ${input('tenantId')} to the tenant of the registry (or a per-registry tenant-id=), check ${input('environment')}, and for a tenant without registries of its own set ${input('tokenAudience')} to acr.`,
  }),
  // A private issuer (GitHub Enterprise Server, an on-premises cluster): Entra fetches its discovery
  // document and keys from the internet, and cannot reach it.
  '50166': issuerUnreachable,
  '501661': issuerUnreachable,
  '90061': issuerUnreachable,
  '90002': (c) => ({
    explanation: `${tenant(c)} was not found: ${input('tenantId')} is wrong, or the tenant is in another cloud than ${input('environment')} names.`,
    fix: `Copy the Directory (tenant) ID from the app registration's Overview page, and set ${input('environment')} to the cloud the tenant lives in.`,
  }),
};

/** The first `AADSTS<digits>` in `message`, explained for the inputs of `context`. */
export function explainEntraError(
  message: string,
  context: EntraErrorContext,
): EntraErrorExplanation | undefined {
  const digits = /AADSTS(\d+)/.exec(message)?.[1];
  if (digits === undefined) return undefined;
  const explain = EXPLAINERS[digits];
  if (explain === undefined) return undefined;
  return { code: `AADSTS${digits}`, ...explain(context) };
}

/** The AADSTS codes that get an explanation and a fix. */
export const EXPLAINED_CODES: readonly string[] = Object.keys(EXPLAINERS).map((digits) => `AADSTS${digits}`);
