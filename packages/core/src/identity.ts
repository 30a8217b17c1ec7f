import { readFile } from 'node:fs/promises';
import type { TokenCredential } from '@azure/core-auth';
import type {
  HttpClient as AzureHttpClient,
  PipelineRequest,
  PipelineResponse,
} from '@azure/core-rest-pipeline';
import { type Dispatcher, getGlobalDispatcher, request } from 'undici';
import { explainEntraError } from './aadsts.ts';
import { AcrLoginError, errorMessage } from './errors.ts';
import { checkCertificatePem } from './inputs.ts';
import { readOidcClaims } from './jwt.ts';
import type { Cloud, Identity, Logger, OidcTokenProvider } from './types.ts';

export interface EntraToken {
  readonly token: string;
  readonly expiresOn: Date;
}

export interface IdentityContext {
  readonly cloud: Cloud;
  readonly dispatcher: Dispatcher;
  readonly logger: Logger;
  readonly oidcToken?: OidcTokenProvider;
}

/** IMDS and loopback endpoints are never reached through a proxy. */
function isLocalEndpoint(url: URL): boolean {
  return (
    url.hostname === '169.254.169.254' || url.hostname === 'localhost' || url.hostname.startsWith('127.')
  );
}

/**
 * Routes @azure/identity's requests through our dispatcher, so Entra, IMDS and ACR share one transport
 * (proxy, CA, tests) instead of the SDK's own https agent.
 */
export async function azureHttpClient(dispatcher: Dispatcher): Promise<AzureHttpClient> {
  const { createHttpHeaders } = await import('@azure/core-rest-pipeline');
  return {
    async sendRequest(req: PipelineRequest): Promise<PipelineResponse> {
      const url = new URL(req.url);
      const body = typeof req.body === 'string' ? req.body : null;
      const res = await request(url, {
        method: req.method,
        headers: req.headers.toJSON(),
        body,
        dispatcher: isLocalEndpoint(url) ? getGlobalDispatcher() : dispatcher,
        ...(req.timeout > 0 ? { headersTimeout: req.timeout, bodyTimeout: req.timeout } : {}),
        ...(req.abortSignal === undefined ? {} : { signal: req.abortSignal as AbortSignal }),
      });
      const headers = createHttpHeaders();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      return { request: req, status: res.statusCode, headers, bodyAsText: await res.body.text() };
    },
  };
}

function describe(identity: Identity): string {
  switch (identity.type) {
    case 'managed-identity':
      if (identity.clientId !== undefined)
        return `the user-assigned managed identity with client id ${identity.clientId}`;
      if (identity.resourceId !== undefined)
        return `the user-assigned managed identity ${identity.resourceId}`;
      return 'the system-assigned managed identity of this machine';
    case 'azure-cli':
      return 'the Azure CLI session';
    default:
      return `the app ${identity.clientId} in tenant ${identity.tenantId}`;
  }
}

export const describeIdentity = describe;

async function certificatePem(identity: Extract<Identity, { type: 'service-principal' }>): Promise<string> {
  const source = identity.certificate;
  if (source === undefined) throw new Error('unreachable: no certificate');
  if (source.kind === 'pem') return source.pem;
  let pem: string;
  try {
    pem = await readFile(source.path, 'utf8');
  } catch (error) {
    throw new AcrLoginError(
      'CERTIFICATE_INVALID',
      `"client-certificate" names the file "${source.path}", which cannot be read (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}). Give the PEM text itself, or a path that exists on the runner.`,
      { input: 'client-certificate', cause: error },
    );
  }
  const { encrypted } = checkCertificatePem(pem, 'client-certificate');
  if (encrypted && identity.certificatePassword === undefined) {
    throw new AcrLoginError(
      'INPUT_REQUIRED',
      `"client-certificate" names "${source.path}", whose private key is encrypted, so "client-certificate-password" is required to decrypt it. Set it, or store the key unencrypted (openssl pkey -in key.pem -out plain.pem).`,
      { input: 'client-certificate-password' },
    );
  }
  return pem;
}

async function createCredential(
  identity: Identity,
  ctx: IdentityContext,
  assertion: () => Promise<string>,
): Promise<TokenCredential> {
  const azure = await import('@azure/identity');
  const options = {
    authorityHost: ctx.cloud.authorityHost,
    disableInstanceDiscovery: ctx.cloud.disableInstanceDiscovery,
    httpClient: await azureHttpClient(ctx.dispatcher),
  };
  switch (identity.type) {
    case 'oidc':
      return new azure.ClientAssertionCredential(identity.tenantId, identity.clientId, assertion, options);
    case 'azure-pipelines':
      return new azure.AzurePipelinesCredential(
        identity.tenantId,
        identity.clientId,
        identity.serviceConnectionId,
        identity.systemAccessToken,
        options,
      );
    case 'service-principal':
      if (identity.secret !== undefined) {
        return new azure.ClientSecretCredential(
          identity.tenantId,
          identity.clientId,
          identity.secret,
          options,
        );
      }
      return new azure.ClientCertificateCredential(
        identity.tenantId,
        identity.clientId,
        {
          certificate: await certificatePem(identity),
          ...(identity.certificatePassword === undefined
            ? {}
            : { certificatePassword: identity.certificatePassword }),
        },
        options,
      );
    case 'managed-identity': {
      // Probe IMDS briefly first: without it the SDK retries an absent endpoint for a long time.
      const miOptions = { ...options, sendProbeRequest: true, retryOptions: { maxRetries: 2 } };
      if (identity.clientId !== undefined)
        return new azure.ManagedIdentityCredential(identity.clientId, miOptions);
      if (identity.resourceId !== undefined) {
        return new azure.ManagedIdentityCredential({ resourceId: identity.resourceId, ...miOptions });
      }
      return new azure.ManagedIdentityCredential(miOptions);
    }
    case 'workload-identity':
      return new azure.WorkloadIdentityCredential({
        ...options,
        tenantId: identity.tenantId,
        clientId: identity.clientId,
        tokenFilePath: identity.tokenFile,
      });
    case 'azure-cli':
      return new azure.AzureCliCredential(
        identity.tenantId === undefined ? {} : { tenantId: identity.tenantId },
      );
  }
}

/**
 * Gets one Microsoft Entra token for `scope`. The OIDC assertion is fetched once and reused: the SDK
 * asks for it more than once per token.
 */
export async function getEntraToken(
  identity: Identity,
  scope: string,
  ctx: IdentityContext,
): Promise<EntraToken> {
  let assertionPromise: Promise<string> | undefined;
  let oidcToken: string | undefined;
  const assertion = (): Promise<string> => {
    if (identity.type !== 'oidc')
      return Promise.reject(new Error('assertion requested for a non-OIDC identity'));
    const provider = ctx.oidcToken;
    if (provider === undefined) {
      return Promise.reject(
        new AcrLoginError('OIDC_UNAVAILABLE', 'No OIDC token provider is available for "auth-type: oidc".', {
          input: 'auth-type',
        }),
      );
    }
    assertionPromise ??= provider(identity.audience).then(
      (token) => {
        ctx.logger.mask(token);
        oidcToken = token;
        return token;
      },
      (error: unknown) => {
        throw error instanceof AcrLoginError
          ? error
          : new AcrLoginError(
              'OIDC_FAILED',
              `Could not get an OIDC token for audience "${identity.audience}": ${errorMessage(error)}`,
              { cause: error, input: 'audience' },
            );
      },
    );
    return assertionPromise;
  };

  const credential = await createCredential(identity, ctx, assertion);
  ctx.logger.debug(`Requesting a Microsoft Entra token for ${describe(identity)} (scope ${scope})`);
  try {
    const token = await credential.getToken(scope);
    if (token === null) throw new Error('the credential returned no token');
    ctx.logger.mask(token.token);
    return { token: token.token, expiresOn: new Date(token.expiresOnTimestamp) };
  } catch (error) {
    throw entraError(error, identity, scope, ctx.cloud, oidcToken);
  }
}

/** Underlying errors hide in AggregateAuthenticationError and cause chains: find our own first. */
function findOwnError(error: unknown): AcrLoginError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof AcrLoginError) return current;
    current = current.cause;
  }
  return undefined;
}

function entraError(
  error: unknown,
  identity: Identity,
  scope: string,
  cloud: Cloud,
  oidcToken?: string,
): AcrLoginError {
  const own = findOwnError(error);
  if (own !== undefined) return own;
  const message = errorMessage(error);
  const who = describe(identity);
  const claims = oidcToken === undefined ? undefined : readOidcClaims(oidcToken);
  const explained = explainEntraError(message, {
    authType: identity.type,
    ...('clientId' in identity && identity.clientId !== undefined ? { clientId: identity.clientId } : {}),
    ...('tenantId' in identity && identity.tenantId !== undefined ? { tenantId: identity.tenantId } : {}),
    ...(claims === undefined ? {} : { oidcClaims: claims }),
  });
  const details: Record<string, string> = claims === undefined ? {} : { ...claims };
  if (explained !== undefined) {
    return new AcrLoginError(
      'ENTRA_AUTH_FAILED',
      `Microsoft Entra ID refused a token for ${who} (${explained.code}): ${explained.explanation} ${explained.fix}`,
      { cause: error, details },
    );
  }
  if (identity.type === 'managed-identity') {
    return new AcrLoginError(
      'MANAGED_IDENTITY_UNAVAILABLE',
      `Could not get a token for ${who}: ${firstLine(message)}. "auth-type: managed-identity" works only on a self-hosted runner or agent running on an Azure VM (or scale set) with that identity assigned. On a hosted runner, use OIDC ("client-id" and "tenant-id" with "permissions: id-token: write") or a service principal instead.`,
      { cause: error, input: 'auth-type' },
    );
  }
  if (identity.type === 'azure-cli') {
    return new AcrLoginError(
      'AZURE_CLI_FAILED',
      `Could not get a token from the Azure CLI: ${firstLine(message)}. Run "az login" (or azure/login) earlier in the job, or pick another "auth-type".`,
      { cause: error, input: 'auth-type' },
    );
  }
  return new AcrLoginError(
    'ENTRA_AUTH_FAILED',
    `Microsoft Entra ID (${cloud.authorityHost}) did not issue a token for ${who} and scope ${scope}: ${firstLine(message)}`,
    { cause: error, details },
  );
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return line.length > 400 ? `${line.slice(0, 400)}...` : line;
}
