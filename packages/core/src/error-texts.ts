import type { Cloud } from './types.ts';
import { authTypeSetting, input } from './wording.ts';

/**
 * The long sentences of core's errors, under their error code, so that the code which throws reads as its
 * rule. Each takes the facts it names; inputs are markers (`wording.ts`) that each host renders in its words.
 */
export const ERROR_TEXTS = {
  INPUT_CONFLICT: {
    armTokenOffSuffix: (asked: string, loginServer: string, registrySuffix: string): string =>
      `${asked}, but "${loginServer}" is not under "${registrySuffix}": it is trusted through ${input('trustedRegistries')}. An ARM token works on every Azure Resource Manager API this identity can reach, so it is sent only to hosts under the cloud's registry suffix. Set ${input('tokenAudience')} to acr (the default) for "${loginServer}" (a registry entry "${loginServer} token-audience=acr" does it for that host alone), or log in to the registry by its ${registrySuffix} name.`,
    suffixOfNamedCloud: (suffix: string, environment: string, known: Cloud): string =>
      `${input('registrySuffix')} is "${suffix}" but ${input('environment')} ${environment === '' ? 'defaults to' : 'is'} ${known.name}, whose registries end in "${known.registrySuffix}". The suffix decides which hosts may receive a Microsoft Entra token, so it cannot be changed for a named cloud: list single hosts in ${input('trustedRegistries')}, or set ${input('environment')} to custom with ${input('authorityHost')} for another cloud.`,
  },
  REGISTRY_UNTRUSTED: {
    outsideSuffix: (loginServer: string, cloud: Cloud): string =>
      `${input('registry')} has "${loginServer}", which is not under "${cloud.registrySuffix}", the registry suffix of ${cloud.name === 'custom' ? 'the custom cloud' : cloud.name}. Logging in sends it a Microsoft Entra token that works on every registry this identity can reach, so only Azure Container Registry hosts receive one. If "${loginServer}" is yours (for example a custom domain in front of a registry), add it to ${input('trustedRegistries')}; otherwise check the name and ${input('environment')}.`,
  },
  MANAGED_IDENTITY_UNAVAILABLE: {
    noToken: (identity: string, reason: string): string =>
      `Could not get a token for ${identity}: ${reason}. A managed identity works only on a self-hosted runner or agent running on an Azure VM (or scale set) with that identity assigned, or on an Azure Arc-enabled server, where the runner's user must be in the himds group (Administrators on Windows) to read the identity's token. A hosted runner or agent has no managed identity: sign in there with OIDC (workload identity federation) or a service principal instead.`,
  },
  OIDC_FAILED: {
    pipelineTokenRefused: (connection: string, status: string): string =>
      `Azure DevOps refused the OIDC token request for ${connection} (HTTP ${status}), so there was no federated token to present to Microsoft Entra ID. Authorise ${connection} for this pipeline (Project settings > Service connections > Security > Pipeline permissions), and check that ${input('systemAccessToken')} can use it: a job whose authorization scope is limited to its own project cannot use a connection of another project.`,
    pipelineTokenUnanswered: (connection: string, status: string): string =>
      `Azure DevOps could not answer the OIDC token request for ${connection} (HTTP ${status}), so there was no federated token to present to Microsoft Entra ID. Run the job again; if it keeps failing, check the Azure DevOps status page.`,
  },
  CONFIG_WRITE_FAILED: {
    ownerOnlyAcl: (path: string, what: string, icacls: string): string =>
      `Cannot make "${path}" readable by the job's user alone: ${what}. Windows ignores file modes, so the step sets an owner-only ACL on what holds credentials before it writes them, and stops when it cannot. Check that ${icacls} runs for the runner's or agent's user and that this user owns the job's temp directory (RUNNER_TEMP, Agent.TempDirectory).`,
  },
  ACR_TOKEN_DENIED: {
    passwordRejected: (loginServer: string, status: number, acrError: string): string =>
      `"${loginServer}" rejected the ${input('username')} and ${input('password')} (HTTP ${status}${acrError}). For the admin user, check that it is enabled and copy a current password from the registry's Access keys; for a repository-scoped token, check that the token is enabled, not expired and that the password was generated for it.`,
  },
  INPUT_REQUIRED: {
    machineInUntrustedRun: (why: string, untrustedRun: string): string =>
      `${why}, but ${authTypeSetting('auto')} does not log in as this machine's managed identity in this run: ${untrustedRun.trim()} Any code the run executes could use the machine's identity. Give the step a credential this run gets (OIDC with ${input('clientId')} and ${input('tenantId')}, where the run can request an OIDC token), or, if this job is meant to log in as the machine, set ${authTypeSetting('managed-identity')} explicitly.`,
  },
} as const;
