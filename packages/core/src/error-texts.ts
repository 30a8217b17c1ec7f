import type { Cloud, InputKey } from './types.ts';
import { authTypeSetting, input } from './wording.ts';

/**
 * The long sentences of core's errors, under their error code, so that the code which throws reads as its
 * rule. Each takes the facts it names; inputs are markers (`wording.ts`) that each host renders in its words.
 */
export const ERROR_TEXTS = {
  INPUT_CONFLICT: {
    credsOtherCloud: (named: string, fromCreds: string): string =>
      `${input('environment')} is ${named}, but the activeDirectoryEndpointUrl in ${input('creds')} belongs to ${fromCreds}. Set ${input('environment')} to ${fromCreds}, or leave it empty to use the cloud ${input('creds')} names.`,
    overrideNotAllowed: (
      loginServer: string,
      setting: string,
      type: string,
      allowed: readonly string[],
    ): string =>
      `${input('registry')} gives "${loginServer}" its own ${setting}, which ${authTypeSetting(type)} cannot use${type === 'service-principal' ? ' (its secret or certificate belongs to one application)' : ''}. Remove it from that entry${allowed.length > 0 ? `; only ${allowed.join(' and ')} may be set per registry` : ''}.`,
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
    githubRequestTokenRefused: (status: number): string =>
      `GitHub refused the job's OIDC request token (ACTIONS_ID_TOKEN_REQUEST_TOKEN, HTTP ${status}). Grant the job "permissions: id-token: write"; the request token is valid only while the job runs, so credentials cannot be renewed after it.`,
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
    customCloudIncomplete: (environment: string, missing: readonly InputKey[]): string =>
      `${input('environment')} is "${environment}", a custom cloud, which also needs ${missing.map(input).join(' and ')}: ${input('authorityHost')} is the https URL of its Microsoft Entra ID (for example https://login.microsoftonline.com) and ${input('registrySuffix')} the DNS suffix of its registries (for example azurecr.io).`,
    kindNeedsInputs: (authType: string, labels: readonly string[]): string =>
      `${authTypeSetting(authType)} needs ${labels.join(', ')}, which ${labels.length === 1 ? 'is not set: set it' : 'are not set: set them'}. A value taken from a secret arrives empty when the secret's name is misspelled or the secret is not available to this run.`,
    machineInUntrustedRun: (why: string, untrustedRun: string): string =>
      `${why}, but ${authTypeSetting('auto')} does not log in as this machine's managed identity in this run: ${untrustedRun.trim()} Any code the run executes could use the machine's identity. Give the step a credential this run gets (OIDC with ${input('clientId')} and ${input('tenantId')}, where the run can request an OIDC token), or, if this job is meant to log in as the machine, set ${authTypeSetting('managed-identity')} explicitly.`,
  },
  CERTIFICATE_INVALID: {
    incompletePem: (missing: readonly string[]): string =>
      `${input('clientCertificate')} has no complete ${missing.join(' and no ')}. It must hold the certificate and its private key in PEM form, one after the other: build it with "cat cert.pem key.pem > combined.pem" (from a .pfx: "openssl pkcs12 -in cert.pfx -nodes").`,
    notPemNorPath: `${input('clientCertificate')} is neither PEM text nor a file path. Give the certificate and its private key as PEM (for example the output of "cat cert.pem key.pem"; from a .pfx: "openssl pkcs12 -in cert.pfx -nodes"), or the path of such a file.`,
    unreadableFile: (path: string, reason: string): string =>
      `${input('clientCertificate')} names the file "${path}", which cannot be read (${reason}). Give the PEM text itself, or a path that exists on the runner.`,
    unreadableKey: (withPassword: boolean, reason: string): string =>
      `The private key in ${input('clientCertificate')} cannot be read${withPassword ? ` with ${input('clientCertificatePassword')}` : ''}: ${reason}. Check that the PEM holds the key that belongs to the certificate and, for an encrypted key, that the password is right.`,
    tlsSettings: (reason: string): string =>
      `The TLS settings the runner or agent gives the step's connections cannot be used: ${reason}. Check the client certificate and its key (or the .pfx file and its passphrase) and the CA file it names.`,
    notRsa: (keyType: string): string =>
      `${input('clientCertificate')} holds a ${keyType} key; Microsoft Entra ID accepts RSA certificates only. Create the certificate with an RSA key (e.g. "openssl req -x509 -newkey rsa:2048 ...").`,
  },
  AZURE_CLI_FAILED: {
    noToken: (reason: string): string =>
      `Could not get a token from the Azure CLI: ${reason}. Run "az login" (or the azure/login action) earlier in the job, after installing the Azure CLI where the runner or agent has none, or pick another ${input('authType')}.`,
  },
  INPUT_INVALID: {
    notManagedIdentityId: (resourceId: string): string =>
      `${input('managedIdentityResourceId')} is "${resourceId}", which is not the resource ID of a user-assigned managed identity. It looks like /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>.`,
    unreadableTokenFile: (tokenFile: string, reason: string): string =>
      `The workload identity token file "${tokenFile}" (AZURE_FEDERATED_TOKEN_FILE) cannot be read (${reason}). Check that the service account token is projected into this pod or runner.`,
    authorityHostNotOrigin: `${input('authorityHost')} must be the bare https origin of Microsoft Entra ID (for example https://login.microsoftonline.com), without a path, query or credentials; put the tenant into ${input('tenantId')}.`,
    renewalAgentCannotRun: (why: string): string =>
      `${input('renew')} keeps the identity's secret in a renewal agent process, never on disk, and that agent cannot run here: ${why}. Set ${input('renew')} to false (the credentials then last until they expire), or run the job where the agent can start (a shorter work folder for the runner).`,
    proxyNotUrl: (source: string, shown: string): string =>
      `${source} is not a URL ("${shown}"). Give the proxy as http://host:port, with any credentials percent-encoded (http://user:p%40ss@host:port).`,
    proxyNotHttp: (source: string, scheme: string, shown: string): string =>
      `${source} names a ${scheme} proxy ("${shown}"), which acr-login does not speak: set ${source} to an HTTP proxy (http://host:port or https://host:port) that accepts CONNECT, or list the Entra and registry hosts in NO_PROXY to go direct.`,
  },
  STATE_INVALID: {
    renewalStateUnreadable:
      'The renewal state saved by the login step is unreadable, so its credential helper entries were not removed. Remove the "credHelpers" entries that name an acr-login-* helper from the client files the login step reported, or leave them if those are the job\'s own files in its temp folder, which end with the job.',
  },
  REGISTRY_UNREACHABLE: {
    timedOutDirect: (host: string): string =>
      `Check that "${host}" is reachable from this machine (firewall, private endpoint), or set HTTPS_PROXY if it is only reachable through a proxy.`,
    timedOutViaProxy: (proxy: string, host: string, hostname: string): string =>
      `Check that the proxy ${proxy} is up and may reach "${host}", or list "${hostname}" in NO_PROXY if it should be reached direct.`,
    unresolvedHost: (purpose: string, host: string): string =>
      `The ${purpose} failed: the host "${host}" does not resolve. Check the name for typos; for a registry with a private endpoint, run on a runner or agent inside that network.`,
    untrustedCertificate: (purpose: string, host: string, code: string): string =>
      `The ${purpose} failed: the TLS certificate "${host}" presented is not trusted here (${code}). Behind a TLS-inspecting proxy, trust the proxy's CA: NODE_EXTRA_CA_CERTS on a runner, the agent's certificate settings (Agent.CAInfo) on Azure Pipelines.`,
    proxyRefusedCredentials: (purpose: string, proxy: string, host: string): string =>
      `The ${purpose} failed: the proxy ${proxy} refused the credentials it was given for "${host}" (HTTP 407). Check the proxy user name and password: in the proxy URL (http://user:password@proxy:port, with @ : / and % percent-encoded), or in the agent's proxy settings on Azure Pipelines.`,
    proxyWantsCredentials: (purpose: string, proxy: string, host: string): string =>
      `The ${purpose} failed: the proxy ${proxy} wants credentials for "${host}" (HTTP 407). Put them in the proxy URL (http://user:password@proxy:port in HTTPS_PROXY), or in the agent's proxy settings on Azure Pipelines.`,
    proxyUnreachable: (
      purpose: string,
      proxy: string,
      host: string,
      reason: string,
      source: string,
    ): string =>
      `The ${purpose} failed: could not connect to the proxy ${proxy} on the way to "${host}" (${reason}). Check the proxy's host name and port in ${source}, and that the proxy is running.`,
    proxyRefusedTunnel: (purpose: string, host: string, reason: string): string =>
      `The ${purpose} failed: the proxy refused the connection to "${host}" (${reason}). Check the host name and the proxy's allow list.`,
    unreachable: (purpose: string, host: string, reason: string): string =>
      `The ${purpose} failed: could not reach "${host}" (${reason}). Check the network path from this machine: firewalls, private endpoints and proxy settings (HTTPS_PROXY, NO_PROXY).`,
  },
  CLOUD_UNKNOWN: {
    unknownCloud: (environment: string, known: readonly string[]): string =>
      `${input('environment')} is "${environment}", which is not a cloud acr-login knows. Use one of ${known.join(', ')} (case-insensitive); for Azure Stack or a private cloud use "custom" with ${input('authorityHost')} and ${input('registrySuffix')}.`,
  },
  CREDS_INVALID: {
    notSdkAuthJson: (rule: string): string =>
      `${input('creds')} ${rule} It must be the JSON printed by "az ad sp create-for-rbac --sdk-auth" ({"clientId": ..., "clientSecret": ..., "tenantId": ...}) or by "az ad sp create-for-rbac" ({"appId": ..., "password": ..., "tenant": ...}), stored whole in a secret.`,
  },
  REGISTRY_FORBIDDEN: {
    firewall: (loginServer: string): string =>
      `"${loginServer}" refused the connection from this machine (HTTP 403 on /v2/). The registry's firewall or disabled public network access blocks this runner: add its outbound IP to the registry's network rules, or run on a runner or agent inside the registry's virtual network.`,
  },
  ACR_EXCHANGE_DENIED: {
    armRefused: (refused: string, roles: string): string =>
      `${refused} This login asked for an ARM-audience token (${input('tokenAudience')} is arm), which a registry with authentication-as-arm disabled refuses: remove ${input('tokenAudience')} or set it to acr. If the registry accepts ARM tokens, ${roles}`,
    refused: (refused: string): string =>
      `${refused} Grant this identity the "AcrPull" role (or "AcrPush" to push) on the registry; on a registry with ABAC repository permissions, grant "Container Registry Repository Reader" (or "Writer") instead. Role assignments can take a few minutes to apply.`,
    roles:
      'grant this identity the "AcrPull" role (or "AcrPush" to push) on the registry; on a registry with ABAC repository permissions, grant "Container Registry Repository Reader" (or "Writer") instead. Role assignments can take a few minutes to apply.',
  },
  HTTP_FAILED: {
    requestRefusedFix:
      'The registry refused the request itself: check that the name is an Azure Container Registry login server (a proxy or another registry answers differently), and report it with the correlation id if it is one.',
  },
} as const;
