/**
 * What an adapter gives core. Core never imports a CI library: logging, masking and the OIDC token
 * come in through this port.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  /**
   * Register a secret with the CI system so it is redacted from every later log line. `registry-password`
   * marks the password a client logs in with (refresh token, its base64 pair), which a user may choose to
   * leave unmasked to pass it to another job.
   */
  mask(secret: string, kind?: 'registry-password'): void;
}

/** A logger that drops everything: handy in tests and for library use. */
export const nullLogger: Logger = {
  debug() {},
  info() {},
  warning() {},
  mask() {},
};

/** Returns a federated identity token (a JWT) for the given audience, e.g. GitHub's `core.getIDToken`. */
export type OidcTokenProvider = (audience: string) => Promise<string>;

export interface Clock {
  now(): number;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Everything core reads from the world, injectable so tests are exact. */
export interface Environment {
  readonly logger: Logger;
  /**
   * Transport for every request core makes (ACR and, through an adapter, Entra ID): an undici Dispatcher
   * (a test's MockAgent) or `nodeTransport`. Default: `nodeTransport` with the environment's proxy.
   */
  readonly dispatcher?: Transport;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  /** Process environment, for `DOCKER_CONFIG`, `REGISTRY_AUTH_FILE`, `HOME`, `AZURE_*`. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly oidcToken?: OidcTokenProvider;
  /** The CI's debug logging is on: the Azure SDK's own log goes to `logger.debug` too. */
  readonly debug?: boolean;
  /** Servers a renewal takes over after the login (see `WriteOptions.renewed`). */
  readonly renewed?: readonly string[];
}

/**
 * Every input core reads, by key. Keys are core's own: each host renders them in its CI's words (the
 * Action's `client-secret`, the task's `clientSecret` or "the service connection"); see `wording.ts`.
 */
export const LOGIN_INPUT_KEYS = [
  /** One or more registries separated by newlines or commas; each may carry `key=value` overrides. */
  'registry',
  'authType',
  'clientId',
  'tenantId',
  'clientSecret',
  /** PEM text (certificate and private key) or a path to a PEM file. */
  'clientCertificate',
  'clientCertificatePassword',
  /** JSON of `az ad sp create-for-rbac --sdk-auth`. */
  'creds',
  'managedIdentityResourceId',
  'username',
  'password',
  'environment',
  'authorityHost',
  'registrySuffix',
  /** OIDC audience requested from the CI's token service. */
  'audience',
  /** `acr` (default) or `arm`. */
  'tokenAudience',
  /** `docker` (default), `podman`, `helm`, `oras`, `all`; comma or newline separated. */
  'clients',
  /** Login servers outside the cloud's registry suffix that may still receive an Entra token. */
  'trustedRegistries',
  /** Azure Pipelines: service connection id, needed by `AzurePipelinesCredential`. */
  'serviceConnectionId',
  /** Azure Pipelines: `System.AccessToken` for the OIDC request. */
  'systemAccessToken',
  /** Repositories to check after the login: `name`, `name:pull`, `name:push`, optionally `<login server>/`. */
  'repositories',
] as const;

export type LoginInputKey = (typeof LOGIN_INPUT_KEYS)[number];

/** Inputs of the step itself, beyond the login. */
export type StepInputKey = 'logout' | 'maskPassword' | 'renew' | 'isolateConfig' | 'pullSecret';

/** Environment variables that stand in for inputs (Kubernetes workload identity). */
export type EnvInputKey = 'AZURE_FEDERATED_TOKEN_FILE' | 'AZURE_CLIENT_ID' | 'AZURE_TENANT_ID';

export type InputKey = LoginInputKey | StepInputKey | EnvInputKey;

/** Raw inputs as an adapter reads them: strings, unvalidated. */
export type LoginInputs = { readonly registry: string } & {
  readonly [K in Exclude<LoginInputKey, 'registry'>]?: string;
};

/** The Microsoft Entra auth kinds; `identity/kinds` holds one descriptor for each. */
export type EntraAuthType =
  | 'oidc'
  | 'azure-pipelines'
  | 'service-principal'
  | 'managed-identity'
  | 'workload-identity'
  | 'azure-cli';

export type AuthType = EntraAuthType | 'username-password' | 'anonymous';

/** Which Entra token is exchanged at the registry: the ACR audience (default) or Azure Resource Manager's. */
export type TokenAudience = 'acr' | 'arm';

export type ClientKind = 'docker' | 'podman' | 'helm' | 'oras';

export interface Cloud {
  readonly name: 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment' | 'custom';
  /** https origin of Microsoft Entra ID, e.g. `https://login.microsoftonline.com`. */
  readonly authorityHost: string;
  /** e.g. `azurecr.io`. */
  readonly registrySuffix: string;
  /** Default audience for federated (OIDC) tokens, e.g. `api://AzureADTokenExchange`. */
  readonly oidcAudience: string;
  /** ARM scope used when `token-audience: arm`, e.g. `https://management.azure.com/.default`. */
  readonly armScope: string;
  /** Only custom clouds: MSAL must not ask the public cloud about the authority. */
  readonly disableInstanceDiscovery: boolean;
}

/** A certificate is either PEM text from an input or a file path; loaded (and checked) lazily. */
export type CertificateSource =
  | { readonly kind: 'pem'; readonly pem: string }
  | { readonly kind: 'path'; readonly path: string };

/**
 * What core asks of a transport: undici's `Dispatcher.request` and `close`, so a test's MockAgent (or any
 * undici dispatcher) can be injected, while a step uses `nodeTransport`, built on Node's own http stack.
 * Node's parser is native and already loaded, where undici's WebAssembly parser, its HTTP/2 client and
 * its own code cost about a third of a step's start-up (docs/design.md, Performance).
 */
export interface Transport {
  request(options: TransportRequest): Promise<TransportResponse>;
  close(): Promise<void>;
}

export interface TransportRequest {
  readonly origin: string;
  readonly path: string;
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | null;
  /** Milliseconds until the response headers arrive, once the connection is up (at most the transport's). */
  readonly headersTimeout?: number;
  /** Milliseconds the body may stay silent. */
  readonly bodyTimeout?: number;
  readonly signal?: AbortSignal;
}

export interface TransportResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: { text(): Promise<string> };
}
