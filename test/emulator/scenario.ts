import { randomBytes } from 'node:crypto';

/** Names every test refers to: the default scenario of the emulator. */

/** Made up, like every id here: no real tenant. */
export const TENANT_ID = '5e7a1c2d-0b4f-4c3e-9a61-7d2f8e0c4b19';
export const ACR_SCOPE = 'https://containerregistry.azure.net/.default';
export const ACR_AUDIENCE = 'https://containerregistry.azure.net';
export const OIDC_AUDIENCE = 'api://AzureADTokenExchange';
export const REFRESH_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';
export const REFRESH_TOKEN_LIFETIME = 11_700;

/** Seconds each kind of token lives; tests shorten them to cross an expiry without waiting hours. */
export interface TokenLifetimes {
  /** ACR refresh token from `/oauth2/exchange` (real: 3 h 15 min). Its `/oauth2/token` refuses it after. */
  readonly refreshToken: number;
  /** GitHub Actions OIDC token (real: 5 minutes; the emulator's default was 10). */
  readonly githubOidc: number;
  /** Azure Pipelines OIDC token (real: 10 minutes). */
  readonly adoOidc: number;
}

export const DEFAULT_LIFETIMES: TokenLifetimes = {
  refreshToken: REFRESH_TOKEN_LIFETIME,
  githubOidc: 600,
  adoOidc: 600,
};

export const AUTHORITY_HOSTS = {
  AzureCloud: 'login.microsoftonline.com',
  AzureChinaCloud: 'login.chinacloudapi.cn',
  /** MSAL sends China token requests here even when the authority is login.chinacloudapi.cn. */
  AzureChinaCloudPartner: 'login.partner.microsoftonline.cn',
  AzureUSGovernment: 'login.microsoftonline.us',
  custom: 'login.azurestack.contoso.test',
} as const;

/** ARM `.default` scope per cloud; the token's `aud` is the scope without `.default`. */
export const ARM_SCOPES = {
  AzureCloud: 'https://management.azure.com/.default',
  AzureChinaCloud: 'https://management.chinacloudapi.cn/.default',
  AzureUSGovernment: 'https://management.usgovcloudapi.net/.default',
} as const;

export const REGISTRIES = {
  contoso: 'contoso.azurecr.io',
  noarm: 'noarm.azurecr.io',
  public: 'public.azurecr.io',
  fabrikam: 'fabrikam.azurecr.cn',
  usgov: 'usgov.azurecr.us',
  /**
   * Outside every public cloud's registry suffix: a custom cloud's registry (suffix `azurecr.contoso.test`), or
   * one that a login in another cloud reaches only when `trusted-registries` names it.
   */
  stack: 'stack.azurecr.contoso.test',
  /** Role assignment mode `rbac-abac`: AcrPull/AcrPush are ignored, repository roles decide. */
  abac: 'contosoabac.azurecr.io',
} as const;

export const HELLO_REPOSITORY = 'hello';
export const HELLO_TAG = 'latest';
/** The text file inside the seeded image's only layer. */
export const HELLO_FILE = { path: 'hello.txt', content: 'hello from the acr-login emulator\n' } as const;

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const GITHUB_DEFAULT_SUBJECT = 'repo:octo-org/octo-repo:ref:refs/heads/main';
export const ADO_ORGANIZATION_ID = '4b3d9c1e-5a6f-4e2d-9b8c-7a1f0e2d3c4b';
export const ADO_ISSUER = `https://vstoken.dev.azure.com/${ADO_ORGANIZATION_ID}`;
export const ADO_SERVICE_CONNECTION = { id: '0f8e3b2a-1c4d-4e5f-8a9b-0c1d2e3f4a5b', name: 'acr-connection' };
export const ADO_SUBJECT = `sc://contoso/web/${ADO_SERVICE_CONNECTION.name}`;
export const WORKLOAD_ISSUER = 'https://oidc.prod-aks.azure.com/2a9d1f0e-8c7b-4a6d-9e5f-1b2c3d4e5f60/';
export const WORKLOAD_SUBJECT = 'system:serviceaccount:default:acr-login';

export type Role = 'pull' | 'push';

/** The data roles an ABAC-mode registry honours: "Container Registry Repository Reader/Writer/Contributor". */
export type RepositoryRole = 'Reader' | 'Writer' | 'Contributor';

/**
 * A repository role assignment. Without a condition it covers every repository; a condition admits the
 * repositories it names (`StringEqualsIgnoreCase`) or that start with a prefix (`StringStartsWithIgnoreCase`).
 */
export interface RepositoryRoleAssignment {
  readonly principalId: string;
  readonly role: RepositoryRole;
  readonly condition?: { readonly names?: readonly string[]; readonly prefixes?: readonly string[] };
}

export interface FederatedCredential {
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
}

export interface App {
  readonly name: string;
  readonly clientId: string;
  /** The service principal's object id: the `oid` that roles are assigned to. */
  readonly objectId: string;
  readonly secret?: string;
  /** PEM text: certificate and unencrypted private key. */
  readonly certPem?: string;
  /** A file holding `certPem`. */
  readonly certFile?: string;
  readonly certThumbprints?: readonly string[];
  /** Mutable on purpose: tests may add or change records. */
  readonly federated: FederatedCredential[];
}

export interface ManagedIdentity {
  readonly name: string;
  readonly clientId: string;
  readonly objectId: string;
  /** Only user-assigned identities have one. */
  readonly resourceId?: string;
}

export interface ScopeMapToken {
  readonly username: string;
  readonly password: string;
  /** repository name -> allowed actions */
  readonly repositories: Readonly<Record<string, readonly Role[]>>;
}

export interface RegistryConfig {
  readonly loginServer: string;
  /** Tenant-side audience used with ARM tokens on this cloud, e.g. `https://management.azure.com/`. */
  readonly armAudience: string;
  /** `authentication-as-arm`: whether Entra tokens for ARM are exchanged. */
  armAuthentication: boolean;
  anonymousPull: boolean;
  /**
   * `az acr update --role-assignment-mode`: `rbac` honours `roles` (AcrPull/AcrPush); `rbac-abac` ignores
   * them for data access and grants per repository from `repositoryRoles`.
   */
  roleAssignmentMode: 'rbac' | 'rbac-abac';
  /** objectId -> role. */
  readonly roles: Map<string, Role>;
  /** Honoured only in `rbac-abac` mode. Mutable on purpose: tests add or change assignments. */
  readonly repositoryRoles: RepositoryRoleAssignment[];
  readonly admin?: { readonly username: string; readonly password: string };
  readonly tokens: ScopeMapToken[];
}

export interface Scenario {
  readonly tenantId: string;
  readonly apps: {
    readonly spSecret: App;
    readonly spCert: App;
    readonly spPullOnly: App;
    readonly spNoRole: App;
    readonly githubApp: App;
    readonly adoApp: App;
    readonly workloadApp: App;
  };
  readonly managedIdentities: { readonly systemMi: ManagedIdentity; readonly userMi: ManagedIdentity };
  /** By login server. */
  readonly registries: ReadonlyMap<string, RegistryConfig>;
  /** `reg1.azurecr.io`..`regN.azurecr.io` from `extraRegistries`. */
  readonly extraRegistries: readonly string[];
  /** Kubernetes-style projected token for `workloadApp`, refreshed by `startEmulator`. */
  readonly workload: { readonly tokenFile: string; readonly issuer: string; readonly subject: string };
}

export function secret(): string {
  return randomBytes(24).toString('base64url');
}

function guid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function app(n: number, name: string, extra: Partial<App> = {}): App {
  return { name, clientId: guid(0x1000 + n), objectId: guid(0x2000 + n), federated: [], ...extra };
}

export function registry(
  loginServer: string,
  armAudience: string,
  roles: ReadonlyArray<readonly [App | ManagedIdentity, Role]>,
  extra: Partial<RegistryConfig> = {},
): RegistryConfig {
  return {
    loginServer,
    armAudience,
    armAuthentication: true,
    anonymousPull: false,
    roleAssignmentMode: 'rbac',
    roles: new Map(roles.map(([principal, role]) => [principal.objectId, role])),
    repositoryRoles: [],
    tokens: [],
    ...extra,
  };
}

/** Build the default scenario; `cert` is the generated client certificate, `dir` the run's temp dir. */
export function defaultScenario(options: {
  readonly cert: { readonly pem: string; readonly file: string; readonly thumbprints: readonly string[] };
  readonly workloadTokenFile: string;
  readonly extraRegistries: number;
}): Scenario {
  const fic = (issuer: string, subject: string): FederatedCredential => ({
    issuer,
    subject,
    audiences: [OIDC_AUDIENCE],
  });
  const apps = {
    spSecret: app(1, 'spSecret', { secret: secret() }),
    spCert: app(2, 'spCert', {
      certPem: options.cert.pem,
      certFile: options.cert.file,
      certThumbprints: options.cert.thumbprints,
    }),
    spPullOnly: app(3, 'spPullOnly', { secret: secret() }),
    spNoRole: app(4, 'spNoRole', { secret: secret() }),
    githubApp: app(5, 'githubApp', { federated: [fic(GITHUB_ISSUER, GITHUB_DEFAULT_SUBJECT)] }),
    adoApp: app(6, 'adoApp', { federated: [fic(ADO_ISSUER, ADO_SUBJECT)] }),
    workloadApp: app(7, 'workloadApp', { federated: [fic(WORKLOAD_ISSUER, WORKLOAD_SUBJECT)] }),
  };
  const managedIdentities = {
    systemMi: { name: 'systemMi', clientId: guid(0x3001), objectId: guid(0x4001) },
    userMi: {
      name: 'userMi',
      clientId: guid(0x3002),
      objectId: guid(0x4002),
      resourceId:
        '/subscriptions/00000000-0000-4000-8000-00000000abcd/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acr-login',
    },
  };
  const publicArm = 'https://management.azure.com/';
  const pushers = [
    apps.spSecret,
    apps.spCert,
    apps.githubApp,
    apps.adoApp,
    apps.workloadApp,
    managedIdentities.systemMi,
    managedIdentities.userMi,
  ].map((p) => [p, 'push'] as const);
  const extraRegistries = Array.from({ length: options.extraRegistries }, (_, i) => `reg${i + 1}.azurecr.io`);
  const list = [
    registry(REGISTRIES.contoso, publicArm, [...pushers, [apps.spPullOnly, 'pull']], {
      admin: { username: 'contoso', password: secret() },
      tokens: [
        { username: 'hello-reader', password: secret(), repositories: { [HELLO_REPOSITORY]: ['pull'] } },
      ],
    }),
    registry(REGISTRIES.noarm, publicArm, [[apps.spSecret, 'push']], { armAuthentication: false }),
    registry(REGISTRIES.public, publicArm, [[apps.spSecret, 'push']], { anonymousPull: true }),
    registry(REGISTRIES.fabrikam, 'https://management.chinacloudapi.cn/', [[apps.spSecret, 'push']]),
    registry(REGISTRIES.usgov, 'https://management.usgovcloudapi.net/', [[apps.spSecret, 'push']]),
    registry(REGISTRIES.stack, publicArm, [
      [apps.spSecret, 'push'],
      [apps.githubApp, 'push'],
    ]),
    // AcrPush for everyone, which this mode ignores; the repository roles below are what counts.
    registry(REGISTRIES.abac, publicArm, [...pushers, [apps.spPullOnly, 'push']], {
      roleAssignmentMode: 'rbac-abac',
      repositoryRoles: [
        { principalId: apps.spSecret.objectId, role: 'Writer' },
        { principalId: apps.githubApp.objectId, role: 'Writer' },
        { principalId: apps.spPullOnly.objectId, role: 'Reader' },
      ],
    }),
    ...extraRegistries.map((name) => registry(name, publicArm, [[apps.spSecret, 'push']])),
  ];
  return {
    tenantId: TENANT_ID,
    apps,
    managedIdentities,
    registries: new Map(list.map((r) => [r.loginServer, r])),
    extraRegistries,
    workload: { tokenFile: options.workloadTokenFile, issuer: WORKLOAD_ISSUER, subject: WORKLOAD_SUBJECT },
  };
}
