import { AcrLoginError } from '../errors.ts';
import type {
  AuthType,
  CertificateSource,
  ClientKind,
  Cloud,
  Identity,
  LoginInputs,
  LoginPlan,
  RegistryAuth,
  RegistryPlan,
} from '../types.ts';
import { cloudForAuthority, cloudNameOf, resolveCloud } from './clouds.ts';
import {
  isGuid,
  isTenantId,
  isUnderSuffix,
  normaliseLoginServer,
  parseRegistries,
  type RegistryEntry,
  splitList,
} from './registries.ts';

export interface PlanFacts {
  /** The adapter can produce an OIDC token now (GitHub: ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN present). */
  readonly oidcAvailable: boolean;
  /** Why not, in the adapter's words (e.g. the missing `id-token: write` explanation) for the error. */
  readonly oidcUnavailableHint?: string;
  /** AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID from the environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Accepted by every registry, and the only scope accepted when authentication-as-arm is disabled. */
export const ACR_SCOPE = 'https://containerregistry.azure.net/.default';

export const AUTH_TYPES: readonly AuthType[] = [
  'oidc',
  'azure-pipelines',
  'service-principal',
  'managed-identity',
  'workload-identity',
  'azure-cli',
  'username-password',
  'anonymous',
];

export const CLIENT_KINDS: readonly ClientKind[] = ['docker', 'podman', 'helm', 'oras'];

export type InputKey = Exclude<keyof LoginInputs, 'registry'>;

/** Adapter-neutral input names, as the action spells them; messages and `AcrLoginError.input` use these. */
export const INPUT_NAMES: Readonly<Record<InputKey, string>> = {
  authType: 'auth-type',
  clientId: 'client-id',
  tenantId: 'tenant-id',
  clientSecret: 'client-secret',
  clientCertificate: 'client-certificate',
  clientCertificatePassword: 'client-certificate-password',
  creds: 'creds',
  managedIdentityResourceId: 'managed-identity-resource-id',
  username: 'username',
  password: 'password',
  environment: 'environment',
  authorityHost: 'authority-host',
  registrySuffix: 'registry-suffix',
  audience: 'audience',
  tokenAudience: 'token-audience',
  clients: 'clients',
  trustedRegistries: 'trusted-registries',
  serviceConnectionId: 'service-connection-id',
  systemAccessToken: 'system-access-token',
};

/** Inputs that select or configure an identity; each auth type accepts only some of them. */
const IDENTITY_INPUTS = [
  'clientId',
  'tenantId',
  'clientSecret',
  'clientCertificate',
  'clientCertificatePassword',
  'creds',
  'managedIdentityResourceId',
  'username',
  'password',
  'audience',
  'tokenAudience',
  'serviceConnectionId',
] as const satisfies readonly InputKey[];

type IdentityInput = (typeof IDENTITY_INPUTS)[number];

// `system-access-token` is not listed: an Azure Pipelines adapter may pass it whatever the auth type.
const ALLOWED: Readonly<Record<AuthType, readonly IdentityInput[]>> = {
  oidc: ['clientId', 'tenantId', 'audience', 'tokenAudience'],
  'azure-pipelines': ['clientId', 'tenantId', 'serviceConnectionId', 'tokenAudience'],
  'service-principal': [
    'clientId',
    'tenantId',
    'clientSecret',
    'clientCertificate',
    'clientCertificatePassword',
    'creds',
    'tokenAudience',
  ],
  'managed-identity': ['clientId', 'tenantId', 'managedIdentityResourceId', 'tokenAudience'],
  'workload-identity': ['clientId', 'tenantId', 'tokenAudience'],
  'azure-cli': ['tenantId', 'tokenAudience'],
  'username-password': ['username', 'password'],
  anonymous: [],
};

/** Which per-registry overrides make sense for each Entra auth type (see `registryIdentity`). */
const OVERRIDABLE: Readonly<Record<AuthType, readonly ('tenantId' | 'clientId')[]>> = {
  oidc: ['tenantId', 'clientId'],
  'workload-identity': ['tenantId', 'clientId'],
  // A secret or certificate belongs to one app; a multi-tenant app may sign in to another tenant.
  'service-principal': ['tenantId'],
  // The service connection names one app.
  'azure-pipelines': ['tenantId'],
  // Another user-assigned identity on the same machine; a managed identity has one tenant.
  'managed-identity': ['clientId'],
  'azure-cli': ['tenantId'],
  'username-password': [],
  anonymous: [],
};

type Values = Partial<Record<InputKey, string>>;

interface Creds {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenantId: string;
  readonly authorityHost: string | undefined;
}

/**
 * Validates and normalises every input into a `LoginPlan`. Pure: no I/O, no clock; everything it needs
 * from the world comes in `facts`. Throws `AcrLoginError` naming the input at fault.
 */
export function planLogin(inputs: LoginInputs, facts: PlanFacts): LoginPlan {
  const values = trimInputs(inputs);
  const secrets = collectSecrets(values);
  const creds = values.creds === undefined ? undefined : parseCreds(values.creds);
  if (creds !== undefined) secrets.add(creds.clientSecret);

  const cloud = resolveCloud({
    environment: environmentFor(values, creds),
    authorityHost: values.authorityHost,
    registrySuffix: values.registrySuffix,
  });
  const { authType, reason } = chooseAuthType(values, facts);
  checkBelongs(authType, reason, values);
  const tokenAudience = parseTokenAudience(values.tokenAudience, 'token-audience');
  const entries = parseRegistries(inputs.registry, cloud);

  let registries: RegistryPlan[];
  if (authType === 'username-password' || authType === 'anonymous') {
    const auth = plainAuth(authType, values);
    registries = entries.map((entry) => {
      refuseOverrides(entry, authType);
      return { loginServer: entry.loginServer, origin: `https://${entry.loginServer}`, auth };
    });
  } else {
    const base = baseIdentity(authType, values, facts, creds, cloud);
    const trusted = new Set(
      splitList(values.trustedRegistries ?? '').map((item) =>
        normaliseLoginServer(item, cloud, 'trusted-registries'),
      ),
    );
    registries = entries.map((entry) => {
      checkTrusted(entry.loginServer, cloud, trusted);
      const audience = entry.overrides.tokenAudience ?? tokenAudience;
      const auth: RegistryAuth = {
        type: 'entra',
        identity: registryIdentity(base, entry),
        scope: scopeFor(
          audience,
          cloud,
          entry.overrides.tokenAudience === undefined ? 'token-audience' : 'registry',
        ),
      };
      return { loginServer: entry.loginServer, origin: `https://${entry.loginServer}`, auth };
    });
  }

  return {
    cloud,
    authType,
    reason,
    registries,
    clients: parseClients(values.clients),
    secrets: [...secrets],
  };
}

function trimInputs(inputs: LoginInputs): Values {
  const values: Values = {};
  for (const key of Object.keys(INPUT_NAMES) as InputKey[]) {
    const value = inputs[key]?.trim();
    if (value !== undefined && value !== '') values[key] = value;
  }
  return values;
}

function collectSecrets(values: Values): Set<string> {
  const secrets = new Set<string>();
  for (const key of [
    'clientSecret',
    'clientCertificatePassword',
    'creds',
    'password',
    'systemAccessToken',
  ] as const) {
    const value = values[key];
    if (value !== undefined) secrets.add(value);
  }
  // A certificate path is not a secret; PEM text (with its private key) is.
  if (values.clientCertificate?.includes('-----BEGIN') === true) secrets.add(values.clientCertificate);
  return secrets;
}

// ---------------------------------------------------------------------------------------------------
// auth type

/** `servicePrincipal`, `Service_Principal` and ` service-principal ` are all `service-principal`. */
export function parseAuthType(value: string | undefined): AuthType | 'auto' {
  const text = value?.trim() ?? '';
  if (text === '') return 'auto';
  const canonical = text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/_/g, '-');
  if (canonical === 'auto') return 'auto';
  const found = AUTH_TYPES.find((type) => type === canonical);
  if (found === undefined) {
    throw new AcrLoginError(
      'INPUT_INVALID',
      `"auth-type" is "${text}", which is not an auth type. Use one of auto, ${AUTH_TYPES.join(', ')}.`,
      { input: 'auth-type' },
    );
  }
  return found;
}

function chooseAuthType(values: Values, facts: PlanFacts): { authType: AuthType; reason: string } {
  const explicit = parseAuthType(values.authType);
  if (explicit !== 'auto') {
    if (explicit === 'oidc' && !facts.oidcAvailable) throw oidcUnavailable(facts, '"auth-type" is "oidc"');
    return { authType: explicit, reason: `"auth-type" is "${explicit}".` };
  }
  const chose = (authType: AuthType, because: string) => ({
    authType,
    reason: `${because}, so "auth-type: auto" chose ${authType}.`,
  });
  if (values.username !== undefined || values.password !== undefined) {
    return chose('username-password', `${setList(values, ['username', 'password'])} set`);
  }
  if (
    values.clientSecret !== undefined ||
    values.clientCertificate !== undefined ||
    values.creds !== undefined
  ) {
    return chose(
      'service-principal',
      `${setList(values, ['creds', 'clientSecret', 'clientCertificate'])} set`,
    );
  }
  if (values.serviceConnectionId !== undefined) {
    return chose('azure-pipelines', '"service-connection-id" is set');
  }
  const federatedTokenFile = envValue(facts, 'AZURE_FEDERATED_TOKEN_FILE');
  if (values.clientId !== undefined && values.tenantId !== undefined) {
    if (facts.oidcAvailable) {
      return chose('oidc', '"client-id" and "tenant-id" are set and an OIDC token is available');
    }
    if (federatedTokenFile === undefined) {
      // Falling through to managed identity would make a runner wait on an IMDS that is not there.
      throw oidcUnavailable(
        facts,
        '"client-id" and "tenant-id" are set, which means OIDC when "auth-type" is auto',
        ' To use a user-assigned managed identity instead, set "auth-type: managed-identity" and leave "tenant-id" empty.',
      );
    }
  }
  if (federatedTokenFile !== undefined) {
    return chose('workload-identity', 'AZURE_FEDERATED_TOKEN_FILE is set (Kubernetes workload identity)');
  }
  if (values.tenantId !== undefined && facts.oidcAvailable) {
    // A managed identity takes no tenant: this is OIDC with "client-id" missing, which planning then names.
    return chose('oidc', '"tenant-id" is set and an OIDC token is available');
  }
  if (values.clientId !== undefined || values.managedIdentityResourceId !== undefined) {
    return chose(
      'managed-identity',
      `${setList(values, ['clientId', 'managedIdentityResourceId'])} set without "tenant-id", which selects a user-assigned managed identity`,
    );
  }
  return {
    authType: 'managed-identity',
    reason:
      'No credential, OIDC token or federated token file is available, so "auth-type: auto" chose managed-identity (the identity of this Azure machine).',
  };
}

function oidcUnavailable(facts: PlanFacts, why: string, extra = ''): AcrLoginError {
  const hint = facts.oidcUnavailableHint?.trim();
  return new AcrLoginError(
    'OIDC_UNAVAILABLE',
    `${why}, but this job cannot get an OIDC token. ${hint === undefined || hint === '' ? 'The CI system offers none to it.' : hint}${extra}`,
    { input: 'auth-type' },
  );
}

function setList(values: Values, keys: readonly InputKey[]): string {
  const set = keys.filter((key) => values[key] !== undefined).map((key) => `"${INPUT_NAMES[key]}"`);
  return `${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'}`;
}

/** Refuses identity inputs the chosen auth type would silently ignore, and contradictory pairs. */
function checkBelongs(authType: AuthType, reason: string, values: Values): void {
  const allowed = ALLOWED[authType];
  for (const key of IDENTITY_INPUTS) {
    if (values[key] === undefined || allowed.includes(key)) continue;
    const why = reason.startsWith('"auth-type" is')
      ? `"auth-type" is "${authType}"`
      : reason.replace(/\.$/, '');
    throw new AcrLoginError(
      'INPUT_CONFLICT',
      `"${INPUT_NAMES[key]}" is set, but ${why}, which does not use it. Remove "${INPUT_NAMES[key]}", or set "auth-type" to the type it belongs to.`,
      { input: INPUT_NAMES[key] },
    );
  }
  const conflict = (a: InputKey, b: InputKey, rule: string) =>
    new AcrLoginError('INPUT_CONFLICT', `"${INPUT_NAMES[a]}" and "${INPUT_NAMES[b]}" are both set: ${rule}`, {
      input: INPUT_NAMES[a],
    });
  if (values.clientSecret !== undefined && values.clientCertificate !== undefined) {
    throw conflict(
      'clientSecret',
      'clientCertificate',
      'a service principal signs in with one of them. Keep one.',
    );
  }
  if (values.creds !== undefined && values.clientSecret !== undefined) {
    throw conflict('creds', 'clientSecret', '"creds" already holds the secret. Keep one.');
  }
  if (values.creds !== undefined && values.clientCertificate !== undefined) {
    throw conflict(
      'creds',
      'clientCertificate',
      '"creds" holds a secret for the same purpose. Use "client-certificate" with "client-id" and "tenant-id" instead.',
    );
  }
  if (values.clientId !== undefined && values.managedIdentityResourceId !== undefined) {
    throw conflict(
      'managedIdentityResourceId',
      'clientId',
      'each selects a user-assigned managed identity. Keep one.',
    );
  }
  if (values.clientCertificatePassword !== undefined && values.clientCertificate === undefined) {
    throw new AcrLoginError(
      'INPUT_CONFLICT',
      '"client-certificate-password" is set without "client-certificate": it only decrypts the private key of that certificate. Set "client-certificate" or remove the password.',
      { input: 'client-certificate-password' },
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// identities

/** An identity before its `key` is computed (`Omit` applied to each member of the union). */
type BaseIdentity = DistributiveOmit<Identity, 'key'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function baseIdentity(
  authType: Exclude<AuthType, 'username-password' | 'anonymous'>,
  values: Values,
  facts: PlanFacts,
  creds: Creds | undefined,
  cloud: Cloud,
): BaseIdentity {
  const clientId = checkedClientId(values.clientId, 'client-id');
  const tenantId = checkedTenantId(values.tenantId, 'tenant-id');
  switch (authType) {
    case 'oidc': {
      const required = requireInputs(authType, { clientId, tenantId });
      return { type: 'oidc', ...required, audience: values.audience ?? cloud.oidcAudience };
    }
    case 'azure-pipelines': {
      const serviceConnectionId = values.serviceConnectionId;
      if (serviceConnectionId !== undefined && !isGuid(serviceConnectionId)) {
        throw new AcrLoginError(
          'INPUT_INVALID',
          `"service-connection-id" is "${serviceConnectionId}", which is not a GUID. Give the id of the Azure Resource Manager service connection (shown in its URL as resourceId).`,
          { input: 'service-connection-id' },
        );
      }
      const required = requireInputs(authType, {
        clientId,
        tenantId,
        serviceConnectionId,
        systemAccessToken: values.systemAccessToken,
      });
      return { type: 'azure-pipelines', ...required };
    }
    case 'service-principal':
      return servicePrincipal(values, creds, clientId, tenantId);
    case 'managed-identity': {
      const resourceId = values.managedIdentityResourceId;
      if (resourceId !== undefined && !MI_RESOURCE_ID.test(resourceId)) {
        throw new AcrLoginError(
          'INPUT_INVALID',
          `"managed-identity-resource-id" is "${resourceId}", which is not the resource ID of a user-assigned managed identity. It looks like /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>.`,
          { input: 'managed-identity-resource-id' },
        );
      }
      return {
        type: 'managed-identity',
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(clientId === undefined ? {} : { clientId }),
        ...(resourceId === undefined ? {} : { resourceId }),
      };
    }
    case 'workload-identity': {
      // The workload identity webhook sets these variables; the inputs win when both are given.
      const required = requireInputs(authType, {
        clientId: clientId ?? checkedClientId(envValue(facts, 'AZURE_CLIENT_ID'), 'AZURE_CLIENT_ID'),
        tenantId: tenantId ?? checkedTenantId(envValue(facts, 'AZURE_TENANT_ID'), 'AZURE_TENANT_ID'),
        tokenFile: envValue(facts, 'AZURE_FEDERATED_TOKEN_FILE'),
      });
      return { type: 'workload-identity', ...required };
    }
    case 'azure-cli':
      return { type: 'azure-cli', ...(tenantId === undefined ? {} : { tenantId }) };
  }
}

const MI_RESOURCE_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i;

function servicePrincipal(
  values: Values,
  creds: Creds | undefined,
  clientId: string | undefined,
  tenantId: string | undefined,
): BaseIdentity {
  if (creds !== undefined) {
    for (const [key, given, fromCreds] of [
      ['clientId', clientId, creds.clientId],
      ['tenantId', tenantId, creds.tenantId],
    ] as const) {
      if (given !== undefined && given.toLowerCase() !== fromCreds.toLowerCase()) {
        throw new AcrLoginError(
          'INPUT_CONFLICT',
          `"${INPUT_NAMES[key]}" is "${given}", but "creds" names another ${key === 'clientId' ? 'application' : 'tenant'}. Remove "${INPUT_NAMES[key]}" (the one in "creds" is used) or make them equal.`,
          { input: INPUT_NAMES[key] },
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
  const secret = values.clientSecret;
  const certificate = values.clientCertificate === undefined ? undefined : certificateSource(values);
  const required = requireInputs('service-principal', {
    clientId,
    tenantId,
    ...(secret === undefined && certificate === undefined ? { clientSecret: undefined } : {}),
  });
  const password = values.clientCertificatePassword;
  return {
    type: 'service-principal',
    clientId: required.clientId,
    tenantId: required.tenantId,
    ...(secret === undefined ? {} : { secret }),
    ...(certificate === undefined ? {} : { certificate }),
    ...(password === undefined ? {} : { certificatePassword: password }),
  };
}

function certificateSource(values: Values): CertificateSource {
  const value = values.clientCertificate ?? '';
  if (value.includes('-----BEGIN')) {
    const { encrypted } = checkCertificatePem(value, 'client-certificate');
    if (encrypted && values.clientCertificatePassword === undefined) {
      throw new AcrLoginError(
        'INPUT_REQUIRED',
        '"client-certificate" has an encrypted private key, so "client-certificate-password" is required to decrypt it. Set it, or store the key unencrypted (openssl pkey -in key.pem -out plain.pem).',
        { input: 'client-certificate-password' },
      );
    }
    return { kind: 'pem', pem: value };
  }
  // Anything that cannot be a path is a pasted secret in another format: never echo it.
  if (/[\r\n]/.test(value) || value.length > 1024) {
    throw new AcrLoginError(
      'CERTIFICATE_INVALID',
      '"client-certificate" is neither PEM text nor a file path. Give the certificate and its private key as PEM (for example the output of "cat cert.pem key.pem"; from a .pfx: "openssl pkcs12 -in cert.pfx -nodes"), or the path of such a file.',
      { input: 'client-certificate' },
    );
  }
  return { kind: 'path', path: value };
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY)-----([\s\S]*?)-----END \1-----/;

/**
 * PEM text for a service principal certificate must hold the certificate and its private key (any kind,
 * encrypted or not). Checked here for inputs and by the identity module for files; the message never
 * quotes the text, which holds a private key.
 */
export function checkCertificatePem(pem: string, input: string): { readonly encrypted: boolean } {
  const key = KEY_BLOCK.exec(pem);
  const missing = [
    ...(CERTIFICATE_BLOCK.test(pem) ? [] : ['CERTIFICATE block']),
    ...(key === null ? ['PRIVATE KEY block'] : []),
  ];
  if (key === null || missing.length > 0) {
    throw new AcrLoginError(
      'CERTIFICATE_INVALID',
      `"${input}" has no complete ${missing.join(' and no ')}. It must hold the certificate and its private key in PEM form, one after the other: build it with "cat cert.pem key.pem > combined.pem" (from a .pfx: "openssl pkcs12 -in cert.pfx -nodes").`,
      { input },
    );
  }
  const encrypted = key[1] === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(key[2] ?? '');
  return { encrypted };
}

type Required<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };

/** Every missing value named at once, so one run shows the whole fix. */
function requireInputs<T extends Record<string, string | undefined>>(
  authType: AuthType,
  fields: T,
): Required<T> {
  const missing = Object.entries(fields)
    .filter(([, value]) => value === undefined)
    .map(([key]) => key);
  if (missing.length === 0) return fields as Required<T>;
  const label = (key: string) => {
    if (key === 'tokenFile') return 'the AZURE_FEDERATED_TOKEN_FILE environment variable';
    const name = `"${INPUT_NAMES[key as InputKey]}"`;
    if (authType === 'workload-identity' && key === 'clientId') return `${name} (or AZURE_CLIENT_ID)`;
    if (authType === 'workload-identity' && key === 'tenantId') return `${name} (or AZURE_TENANT_ID)`;
    if (authType === 'service-principal' && key === 'clientSecret')
      return '"client-secret" or "client-certificate" (or "creds")';
    return name;
  };
  const first = missing[0] ?? '';
  throw new AcrLoginError(
    'INPUT_REQUIRED',
    `"auth-type" ${authType} needs ${missing.map(label).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not set.`,
    {
      input: first === 'tokenFile' ? 'AZURE_FEDERATED_TOKEN_FILE' : (INPUT_NAMES[first as InputKey] ?? first),
    },
  );
}

function checkedClientId(value: string | undefined, input: string): string | undefined {
  if (value === undefined || isGuid(value)) return value;
  throw new AcrLoginError(
    'INPUT_INVALID',
    `"${input}" is "${value}", which is not a GUID. Use the Application (client) ID from the app registration's or managed identity's Overview page.`,
    { input },
  );
}

function checkedTenantId(value: string | undefined, input: string): string | undefined {
  if (value === undefined || isTenantId(value)) return value;
  throw new AcrLoginError(
    'INPUT_INVALID',
    `"${input}" is "${value}", which is neither a GUID nor a domain. Use the Directory (tenant) ID from the app registration's Overview page, or a verified domain such as contoso.onmicrosoft.com.`,
    { input },
  );
}

function envValue(facts: PlanFacts, name: string): string | undefined {
  const value = facts.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** The identity for one registry: the base identity with that registry's tenant/client overrides. */
function registryIdentity(base: BaseIdentity, entry: RegistryEntry): Identity {
  const { tenantId, clientId } = entry.overrides;
  const allowed = OVERRIDABLE[base.type];
  for (const [key, value] of [
    ['tenantId', tenantId],
    ['clientId', clientId],
  ] as const) {
    if (value !== undefined && !allowed.includes(key)) {
      throw new AcrLoginError(
        'INPUT_CONFLICT',
        `"registry" gives "${entry.loginServer}" its own ${key === 'tenantId' ? 'tenant-id' : 'client-id'}, which auth-type ${base.type} cannot use${base.type === 'service-principal' ? ' (its secret or certificate belongs to one application)' : ''}. Remove it from that entry${allowed.length > 0 ? `; only ${allowed.map((k) => (k === 'tenantId' ? 'tenant-id' : 'client-id')).join(' and ')} may be set per registry` : ''}.`,
        { input: 'registry' },
      );
    }
  }
  const identity = {
    ...base,
    ...(tenantId === undefined ? {} : { tenantId }),
    ...(clientId === undefined ? {} : { clientId }),
  } as BaseIdentity;
  return { ...identity, key: identityKey(identity) } as Identity;
}

/** Equal for identities that can share one Entra token. Never contains a secret: it may be logged. */
function identityKey(identity: BaseIdentity): string {
  const parts: string[] = [identity.type];
  const add = (value: string | undefined) => parts.push(value?.toLowerCase() ?? '');
  switch (identity.type) {
    case 'oidc':
      add(identity.tenantId);
      add(identity.clientId);
      parts.push(identity.audience);
      break;
    case 'azure-pipelines':
      add(identity.tenantId);
      add(identity.clientId);
      add(identity.serviceConnectionId);
      break;
    case 'service-principal':
      add(identity.tenantId);
      add(identity.clientId);
      parts.push(identity.certificate === undefined ? 'secret' : `certificate:${identity.certificate.kind}`);
      break;
    case 'managed-identity':
      add(identity.tenantId);
      add(identity.clientId);
      add(identity.resourceId);
      break;
    case 'workload-identity':
      add(identity.tenantId);
      add(identity.clientId);
      parts.push(identity.tokenFile);
      break;
    case 'azure-cli':
      add(identity.tenantId);
      break;
  }
  return parts.join('|');
}

function plainAuth(authType: 'username-password' | 'anonymous', values: Values): RegistryAuth {
  if (authType === 'anonymous') return { type: 'anonymous' };
  const required = requireInputs(authType, { username: values.username, password: values.password });
  return { type: 'username-password', ...required };
}

function refuseOverrides(entry: RegistryEntry, authType: AuthType): void {
  if (Object.keys(entry.overrides).length === 0) return;
  throw new AcrLoginError(
    'INPUT_CONFLICT',
    `"registry" gives "${entry.loginServer}" tenant-id, client-id or token-audience settings, which auth-type ${authType} does not use. Remove them from that entry.`,
    { input: 'registry' },
  );
}

// ---------------------------------------------------------------------------------------------------
// cloud, scope, trust, clients, creds

function environmentFor(values: Values, creds: Creds | undefined): string | undefined {
  const fromCreds = creds?.authorityHost === undefined ? undefined : cloudForAuthority(creds.authorityHost);
  if (values.environment === undefined) return fromCreds;
  const named = cloudNameOf(values.environment);
  if (fromCreds !== undefined && named !== undefined && named !== 'custom' && named !== fromCreds) {
    throw new AcrLoginError(
      'INPUT_CONFLICT',
      `"environment" is ${named}, but the activeDirectoryEndpointUrl in "creds" belongs to ${fromCreds}. Set "environment" to ${fromCreds}, or leave it empty to use the cloud "creds" names.`,
      { input: 'environment' },
    );
  }
  return values.environment;
}

export function parseTokenAudience(value: string | undefined, input: string): 'acr' | 'arm' {
  const audience = value?.trim().toLowerCase() ?? '';
  if (audience === '' || audience === 'acr') return 'acr';
  if (audience === 'arm') return 'arm';
  throw new AcrLoginError(
    'INPUT_INVALID',
    `"${input}" is "${value?.trim()}", which is not a token audience. Use "acr" (the default, accepted by every registry) or "arm" (Azure Resource Manager tokens, for registries that allow them).`,
    { input },
  );
}

function scopeFor(audience: 'acr' | 'arm', cloud: Cloud, input: string): string {
  if (audience === 'acr') return ACR_SCOPE;
  if (cloud.armScope === '') {
    throw new AcrLoginError(
      'INPUT_CONFLICT',
      `"${input}" asks for an ARM token, but a custom cloud has no known Azure Resource Manager audience. Use "token-audience: acr".`,
      { input },
    );
  }
  return cloud.armScope;
}

function checkTrusted(loginServer: string, cloud: Cloud, trusted: ReadonlySet<string>): void {
  if (isUnderSuffix(loginServer, cloud.registrySuffix) || trusted.has(loginServer)) return;
  throw new AcrLoginError(
    'REGISTRY_UNTRUSTED',
    `"registry" has "${loginServer}", which is not under "${cloud.registrySuffix}", the registry suffix of ${cloud.name === 'custom' ? 'the custom cloud' : cloud.name}. Logging in sends it a Microsoft Entra token that works on every registry this identity can reach, so only Azure Container Registry hosts receive one. If "${loginServer}" is yours (for example a custom domain in front of a registry), add it to "trusted-registries"; otherwise check the name and "environment".`,
    { input: 'registry' },
  );
}

/** `docker` (default), `podman`, `helm`, `oras` or `all`, separated by commas or new lines; order kept. */
export function parseClients(value: string | undefined): ClientKind[] {
  const items = splitList(value ?? '').map((item) => item.toLowerCase());
  if (items.length === 0) return ['docker'];
  const clients = new Set<ClientKind>();
  for (const item of items) {
    if (item === 'all') {
      for (const kind of CLIENT_KINDS) clients.add(kind);
      continue;
    }
    const kind = CLIENT_KINDS.find((candidate) => candidate === item);
    if (kind === undefined) {
      throw new AcrLoginError(
        'INPUT_INVALID',
        `"clients" has "${item}", which is not a client acr-login configures. Use ${CLIENT_KINDS.join(', ')} or all, separated by commas.`,
        { input: 'clients' },
      );
    }
    clients.add(kind);
  }
  return [...clients];
}

/**
 * `creds`: the JSON of `az ad sp create-for-rbac --sdk-auth` (clientId, clientSecret, tenantId,
 * activeDirectoryEndpointUrl, ...) or of plain `create-for-rbac` (appId, password, tenant). Messages
 * never quote the text, nor the parser's error (V8 quotes the input in it): it holds a secret.
 */
export function parseCreds(text: string): Creds {
  const invalid = (rule: string) =>
    new AcrLoginError(
      'CREDS_INVALID',
      `"creds" ${rule} It must be the JSON printed by "az ad sp create-for-rbac --sdk-auth" ({"clientId": ..., "clientSecret": ..., "tenantId": ...}) or by "az ad sp create-for-rbac" ({"appId": ..., "password": ..., "tenant": ...}), stored whole in a secret.`,
      { input: 'creds' },
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('is not valid JSON (was the secret copied whole, with its braces and quotes?).');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('is JSON but not an object.');
  }
  const record = parsed as Record<string, unknown>;
  const field = (...names: string[]) => {
    for (const name of names) {
      const value = record[name];
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
    }
    return undefined;
  };
  const clientId = field('clientId', 'appId');
  const clientSecret = field('clientSecret', 'password');
  const tenantId = field('tenantId', 'tenant');
  const missing = [
    ...(clientId === undefined ? ['clientId (or appId)'] : []),
    ...(clientSecret === undefined ? ['clientSecret (or password)'] : []),
    ...(tenantId === undefined ? ['tenantId (or tenant)'] : []),
  ];
  if (clientId === undefined || clientSecret === undefined || tenantId === undefined) {
    throw invalid(`lacks ${missing.join(', ')}.`);
  }
  if (!isGuid(clientId)) throw invalid('has a clientId that is not a GUID.');
  if (!isTenantId(tenantId)) throw invalid('has a tenantId that is neither a GUID nor a domain.');
  return { clientId, clientSecret, tenantId, authorityHost: field('activeDirectoryEndpointUrl') };
}
