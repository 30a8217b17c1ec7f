import { readFile } from 'node:fs/promises';
import type { TokenCredential } from '@azure/core-auth';
import type {
  HttpClient as AzureHttpClient,
  PipelineRequest,
  PipelineResponse,
} from '@azure/core-rest-pipeline';
import { type Dispatcher, getGlobalDispatcher, request } from 'undici';
import { AcrLoginError, errorMessage } from '../errors.ts';
import type { HttpClient } from '../http.ts';
import { checkCertificatePem } from '../plan/plan.ts';
import { readOidcClaims } from '../registry/jwt.ts';
import type { Clock, Cloud, Identity, Logger, OidcTokenProvider } from '../types.ts';
import { explainEntraError } from './aadsts.ts';
import {
  type ClientProof,
  certificateAssertion,
  clientCredentialsRequest,
  loadCertificate,
  processTokenResponse,
  tokenEndpoint,
} from './entra.ts';

export interface EntraToken {
  readonly token: string;
  readonly expiresOn: Date;
}

export interface IdentityContext {
  readonly cloud: Cloud;
  readonly http: HttpClient;
  readonly clock: Clock;
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

export function describeIdentity(identity: Identity): string {
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

type DirectIdentity = Extract<Identity, { type: 'oidc' | 'service-principal' | 'workload-identity' }>;

function isDirect(identity: Identity): identity is DirectIdentity {
  return (
    identity.type === 'oidc' || identity.type === 'service-principal' || identity.type === 'workload-identity'
  );
}

async function fetchOidcToken(
  identity: Extract<Identity, { type: 'oidc' }>,
  ctx: IdentityContext,
): Promise<string> {
  const provider = ctx.oidcToken;
  if (provider === undefined) {
    throw new AcrLoginError(
      'OIDC_UNAVAILABLE',
      'No OIDC token provider is available for "auth-type: oidc".',
      {
        input: 'auth-type',
      },
    );
  }
  try {
    const token = await provider(identity.audience);
    ctx.logger.mask(token);
    return token;
  } catch (error) {
    if (error instanceof AcrLoginError) throw error;
    throw new AcrLoginError(
      'OIDC_FAILED',
      `Could not get an OIDC token for audience "${identity.audience}": ${errorMessage(error)}`,
      { cause: error, input: 'audience' },
    );
  }
}

async function readTokenFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new AcrLoginError(
      'INPUT_INVALID',
      `The workload identity token file "${path}" (AZURE_FEDERATED_TOKEN_FILE) cannot be read (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}). Check that the service account token is projected into this pod or runner.`,
      { input: 'AZURE_FEDERATED_TOKEN_FILE', cause: error },
    );
  }
}

/** What proves the app's identity to Entra; also returns the federated token, to explain a rejection. */
async function clientProof(
  identity: DirectIdentity,
  ctx: IdentityContext,
): Promise<{ proof: ClientProof; federated?: string }> {
  switch (identity.type) {
    case 'oidc': {
      const federated = await fetchOidcToken(identity, ctx);
      return { proof: { kind: 'assertion', assertion: federated }, federated };
    }
    case 'workload-identity': {
      const federated = await readTokenFile(identity.tokenFile);
      return { proof: { kind: 'assertion', assertion: federated }, federated };
    }
    case 'service-principal': {
      if (identity.secret !== undefined) return { proof: { kind: 'secret', secret: identity.secret } };
      const certificate = loadCertificate(await certificatePem(identity), identity.certificatePassword);
      const audience = tokenEndpoint(ctx.cloud, identity.tenantId);
      const assertion = await certificateAssertion(certificate, identity.clientId, audience, ctx.clock.now());
      ctx.logger.mask(assertion);
      return { proof: { kind: 'assertion', assertion } };
    }
  }
}

/** Managed identities, Azure Pipelines and the Azure CLI: @azure/identity knows their many variants. */
async function sdkCredential(
  identity: Exclude<Identity, DirectIdentity>,
  ctx: IdentityContext,
): Promise<TokenCredential> {
  const azure = await import('@azure/identity');
  const options = {
    authorityHost: ctx.cloud.authorityHost,
    disableInstanceDiscovery: ctx.cloud.disableInstanceDiscovery,
    httpClient: await azureHttpClient(ctx.dispatcher),
  };
  switch (identity.type) {
    case 'azure-pipelines':
      return new azure.AzurePipelinesCredential(
        identity.tenantId,
        identity.clientId,
        identity.serviceConnectionId,
        identity.systemAccessToken,
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
    case 'azure-cli':
      return new azure.AzureCliCredential(
        identity.tenantId === undefined ? {} : { tenantId: identity.tenantId },
      );
  }
}

/** Gets one Microsoft Entra token for `scope`, masked before it is returned. */
export async function getEntraToken(
  identity: Identity,
  scope: string,
  ctx: IdentityContext,
): Promise<EntraToken> {
  ctx.logger.debug(`Requesting a Microsoft Entra token for ${describeIdentity(identity)} (scope ${scope})`);
  let federated: string | undefined;
  try {
    let token: EntraToken;
    if (isDirect(identity)) {
      const proof = await clientProof(identity, ctx);
      federated = proof.federated;
      const request = clientCredentialsRequest({
        cloud: ctx.cloud,
        tenantId: identity.tenantId,
        clientId: identity.clientId,
        scope,
        proof: proof.proof,
      });
      token = processTokenResponse(await ctx.http.send(request), ctx.clock.now());
    } else {
      const result = await (await sdkCredential(identity, ctx)).getToken(scope);
      if (result === null) throw new Error('the credential returned no token');
      token = { token: result.token, expiresOn: new Date(result.expiresOnTimestamp) };
    }
    ctx.logger.mask(token.token);
    return token;
  } catch (error) {
    throw entraError(error, identity, scope, ctx.cloud, federated);
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
  const who = describeIdentity(identity);
  const claims = oidcToken === undefined ? undefined : readOidcClaims(oidcToken);
  const explained = explainEntraError(message, {
    authType: identity.type,
    defaultAudience: cloud.oidcAudience,
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
