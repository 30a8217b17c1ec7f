import { AcrLoginError, type LoginInputs, registryNames } from '@acr-login/core';

/** A message from task.json's `messages`, with `%s` placeholders filled in order. */
export type Localize = (key: string, ...params: string[]) => string;

/** An Azure Resource Manager service connection as the agent hands it to the task. */
export interface Connection {
  readonly id: string;
  /** `ENDPOINT_AUTH_SCHEME_<id>`: WorkloadIdentityFederation, ServicePrincipal, ManagedServiceIdentity. */
  readonly scheme: string;
  /** Authorization parameters (keys are case-insensitive, as in task-lib). */
  readonly parameters: Readonly<Record<string, string | undefined>>;
  /** Data parameters: environment, activeDirectoryAuthority, msiclientId. */
  readonly data: Readonly<Record<string, string | undefined>>;
}

/** What the task reads from the agent; `host.ts` implements it on the agent's environment, tests with plain data. */
export interface TaskSource {
  /** The input's value, '' when unset. */
  input(name: string): string;
  connection(id: string): Connection;
  /** `System.AccessToken`, from the SYSTEMVSSCONNECTION endpoint. */
  systemAccessToken(): string | undefined;
}

export const AUTH_TYPES = ['serviceConnection', 'managedIdentity', 'usernamePassword', 'anonymous'] as const;
export type TaskAuthType = (typeof AUTH_TYPES)[number];

export const SCHEMES = {
  WorkloadIdentityFederation: 'azure-pipelines',
  ServicePrincipal: 'service-principal',
  ManagedServiceIdentity: 'managed-identity',
} as const;
export type Scheme = keyof typeof SCHEMES;

/** The connection a login used, without secrets: for messages. */
export interface ConnectionSummary {
  readonly id: string;
  readonly scheme: Scheme;
  readonly clientId?: string;
  readonly tenantId?: string;
}

/** The task's inputs, read once. `login` values are raw strings: core's `planLogin` validates them. */
export interface TaskInputs {
  readonly authType: TaskAuthType;
  readonly login: LoginInputs;
  readonly connection?: ConnectionSummary;
}

/** The service connection parameters that hold secrets: masked before anything reads them. */
export const SECRET_PARAMETERS = ['serviceprincipalkey', 'servicePrincipalCertificate'] as const;
/** The task inputs that hold secrets. */
export const SECRET_INPUTS = ['password'] as const;

export function parseTaskAuthType(value: string, loc: Localize): TaskAuthType {
  const text = value.trim();
  if (text === '') return 'serviceConnection';
  const found = AUTH_TYPES.find((type) => type.toLowerCase() === text.toLowerCase());
  if (found === undefined) {
    throw new AcrLoginError('INPUT_INVALID', loc('UnknownAuthType', text, AUTH_TYPES.join(', ')), {
      input: 'authType',
    });
  }
  return found;
}

function lookup(record: Readonly<Record<string, string | undefined>>, key: string): string | undefined {
  const wanted = key.toLowerCase();
  for (const [name, value] of Object.entries(record)) {
    if (name.toLowerCase() === wanted && value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/** Values of these inputs are passed to core only when set, so its "not used by this auth type" checks hold. */
function optional(key: keyof LoginInputs, value: string): Partial<Record<keyof LoginInputs, string>> {
  return value.trim() === '' ? {} : { [key]: value };
}

/**
 * Maps the task inputs and the service connection into core's `LoginInputs`. Pure apart from the
 * reads through `source`; throws `AcrLoginError` with a message from task.json for what only the
 * task can know (which connection, which scheme).
 */
export function readTaskInputs(source: TaskSource, loc: Localize): TaskInputs {
  const authType = parseTaskAuthType(source.input('authType'), loc);
  const registry = source.input('registry');
  const common: LoginInputs = {
    registry,
    ...optional('clients', source.input('clients')),
    ...optional('trustedRegistries', source.input('trustedRegistries')),
    ...optional('repositories', source.input('repositories')),
  };
  // `tokenAudience` has a default in task.json, so it is only meaningful (and only passed) for Entra logins.
  const tokenAudience = optional('tokenAudience', source.input('tokenAudience'));

  switch (authType) {
    case 'anonymous':
      return { authType, login: { ...common, authType: 'anonymous' } };
    case 'usernamePassword':
      return {
        authType,
        login: {
          ...common,
          authType: 'username-password',
          ...optional('username', source.input('username')),
          ...optional('password', source.input('password')),
        },
      };
    case 'managedIdentity':
      return {
        authType,
        login: {
          ...common,
          ...tokenAudience,
          authType: 'managed-identity',
          ...optional('clientId', source.input('managedIdentityClientId')),
        },
      };
    case 'serviceConnection': {
      const id = source.input('azureSubscription').trim();
      if (id === '') {
        throw new AcrLoginError('INPUT_REQUIRED', loc('ConnectionRequired'), {
          input: 'serviceConnectionId',
        });
      }
      const { login, connection } = connectionInputs(source.connection(id), source, registry, loc);
      return { authType, connection, login: { ...common, ...tokenAudience, ...login } };
    }
  }
}

/** Core's inputs for one service connection, and what messages may say of it. */
interface ConnectionLogin {
  readonly login: Omit<LoginInputs, 'registry'>;
  readonly connection: ConnectionSummary;
}

/** What a scheme's inputs are read from. */
interface SchemeReading {
  readonly connection: Connection;
  readonly scheme: Scheme;
  readonly cloud: CloudInputs;
  readonly loc: Localize;
}

function connectionInputs(
  connection: Connection,
  source: TaskSource,
  registry: string,
  loc: Localize,
): ConnectionLogin {
  const scheme = connectionScheme(connection, loc);
  const reading: SchemeReading = { connection, scheme, cloud: cloudInputs(connection, registry, loc), loc };
  switch (scheme) {
    case 'WorkloadIdentityFederation':
      return workloadIdentityInputs(reading, source);
    case 'ServicePrincipal':
      return servicePrincipalInputs(reading);
    case 'ManagedServiceIdentity':
      return managedIdentityInputs(reading);
  }
}

function connectionScheme(connection: Connection, loc: Localize): Scheme {
  const schemeText = connection.scheme.trim();
  if (schemeText === '') {
    throw new AcrLoginError('INPUT_INVALID', loc('ConnectionUnavailable', connection.id), {
      input: 'serviceConnectionId',
    });
  }
  const scheme = (Object.keys(SCHEMES) as Scheme[]).find((s) => s.toLowerCase() === schemeText.toLowerCase());
  if (scheme === undefined) {
    throw new AcrLoginError('INPUT_INVALID', loc('UnsupportedScheme', connection.id, schemeText), {
      input: 'serviceConnectionId',
    });
  }
  return scheme;
}

function requiredParameter({ connection, scheme, loc }: SchemeReading, key: string): string {
  const value = lookup(connection.parameters, key);
  if (value === undefined) {
    throw new AcrLoginError('INPUT_INVALID', loc('MissingParameter', connection.id, scheme, key), {
      input: 'serviceConnectionId',
    });
  }
  return value;
}

function workloadIdentityInputs(reading: SchemeReading, source: TaskSource): ConnectionLogin {
  const { id } = reading.connection;
  const clientId = requiredParameter(reading, 'serviceprincipalid');
  const tenantId = requiredParameter(reading, 'tenantid');
  const systemAccessToken = source.systemAccessToken()?.trim() ?? '';
  if (systemAccessToken === '') {
    throw new AcrLoginError('OIDC_UNAVAILABLE', reading.loc('MissingSystemAccessToken', id), {
      input: 'serviceConnectionId',
    });
  }
  return {
    connection: { id, scheme: reading.scheme, clientId, tenantId },
    login: {
      ...reading.cloud,
      authType: SCHEMES.WorkloadIdentityFederation,
      clientId,
      tenantId,
      serviceConnectionId: id,
      systemAccessToken,
    },
  };
}

function servicePrincipalInputs(reading: SchemeReading): ConnectionLogin {
  const { id } = reading.connection;
  const clientId = requiredParameter(reading, 'serviceprincipalid');
  const tenantId = requiredParameter(reading, 'tenantid');
  const method = lookup(reading.connection.parameters, 'authenticationType') ?? 'spnKey';
  let credential: Partial<LoginInputs>;
  if (method.toLowerCase() === 'spnkey') {
    credential = { clientSecret: requiredParameter(reading, 'serviceprincipalkey') };
  } else if (method.toLowerCase() === 'spncertificate') {
    // PEM text with the private key: core hands it to MSAL in memory, it is never written to disk.
    credential = { clientCertificate: requiredParameter(reading, 'servicePrincipalCertificate') };
  } else {
    throw new AcrLoginError('INPUT_INVALID', reading.loc('UnsupportedSpnAuthentication', id, method), {
      input: 'serviceConnectionId',
    });
  }
  return {
    connection: { id, scheme: reading.scheme, clientId, tenantId },
    login: { ...reading.cloud, authType: SCHEMES.ServicePrincipal, clientId, tenantId, ...credential },
  };
}

function managedIdentityInputs(reading: SchemeReading): ConnectionLogin {
  const tenantId = lookup(reading.connection.parameters, 'tenantid');
  const clientId = lookup(reading.connection.data, 'msiclientId');
  const ids = {
    ...(clientId === undefined ? {} : { clientId }),
    ...(tenantId === undefined ? {} : { tenantId }),
  };
  return {
    connection: { id: reading.connection.id, scheme: reading.scheme, ...ids },
    login: { ...reading.cloud, authType: SCHEMES.ManagedServiceIdentity, ...ids },
  };
}

type CloudInputs = Pick<LoginInputs, 'environment' | 'authorityHost' | 'registrySuffix'>;

/**
 * The cloud of the connection's `environment` data. Azure Stack Hub has no fixed registry domain (it
 * differs per installation) and the connection does not carry one, so its registries must be given as
 * fully qualified login servers and the suffix is taken from the first; core then refuses any registry
 * outside that suffix, so a token never reaches a host the user did not name under it.
 */
export function cloudInputs(connection: Connection, registry: string, loc: Localize): CloudInputs {
  const environment = lookup(connection.data, 'environment');
  if (environment === undefined) return {};
  if (environment.toLowerCase() !== 'azurestack') return { environment };

  const authority = lookup(connection.data, 'activeDirectoryAuthority');
  let authorityHost: string;
  try {
    const url = new URL(authority ?? '');
    if (url.protocol !== 'https:') throw new TypeError('not https');
    authorityHost = url.origin;
  } catch {
    throw new AcrLoginError('INPUT_INVALID', loc('AzureStackAuthority', connection.id, authority ?? ''), {
      input: 'serviceConnectionId',
    });
  }
  const name = registryNames(registry)[0] ?? '';
  let host = '';
  try {
    host = new URL(name.includes('://') ? name : `https://${name}`).hostname.toLowerCase();
  } catch {
    // Reported below as a name that is not fully qualified.
  }
  const dot = host.indexOf('.');
  const suffix = dot < 0 ? '' : host.slice(dot + 1);
  if (!suffix.includes('.')) {
    throw new AcrLoginError('REGISTRY_INVALID', loc('AzureStackRegistry', connection.id, name), {
      input: 'registry',
    });
  }
  return { environment: 'custom', authorityHost, registrySuffix: suffix };
}
