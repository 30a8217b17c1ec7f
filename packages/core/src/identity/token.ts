import type {
  HttpClient as AzureHttpClient,
  PipelineRequest,
  PipelineResponse,
} from '@azure/core-rest-pipeline';
import { AcrLoginError, errorMessage } from '../errors.ts';
import { readOidcClaims } from '../jwt.ts';
import { redactSdkLog } from '../log-text.ts';
import { nodeTransport, type Transport } from '../transport.ts';
import type { Cloud, Logger } from '../types.ts';
import { isLocalHost } from '../util.ts';
import { explainEntraError } from './aadsts.ts';
import { firstLine, type IdentityContext, type Proof } from './auth-kind.ts';
import { clientCredentialsRequest, processTokenResponse } from './entra.ts';
import { describeIdentity, type Identity, identityKey, kindOf } from './kinds/index.ts';

export interface EntraToken {
  readonly token: string;
  readonly expiresOn: Date;
  /** `sub` of the federated token presented for it (OIDC, workload identity), for messages. */
  readonly subject?: string;
}

/** IMDS and loopback: never through a proxy. One per process: Node unrefs a keep-alive socket while it idles. */
let local: Transport | undefined;
function direct(): Transport {
  local ??= nodeTransport({ bypass: () => true });
  return local;
}

/**
 * Routes @azure/identity's requests through our dispatcher, so Entra, IMDS and ACR share one transport
 * (proxy, CA, tests) instead of the SDK's own https agent. IMDS and loopback never go through a proxy.
 */
export async function azureHttpClient(dispatcher: Transport): Promise<AzureHttpClient> {
  const { createHttpHeaders } = await import('@azure/core-rest-pipeline');
  return {
    async sendRequest(req: PipelineRequest): Promise<PipelineResponse> {
      const url = new URL(req.url);
      const body = typeof req.body === 'string' ? req.body : null;
      const res = await (isLocalHost(url.hostname) ? direct() : dispatcher).request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: req.method,
        headers: req.headers.toJSON(),
        body,
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

/**
 * With the CI's debug logging on, the Azure SDK's own log (which IMDS endpoint it probed, what came back)
 * goes to the host's debug output, so a managed identity failure can be traced. The SDK does not redact
 * everything it logs (a failed Azure Pipelines OIDC response comes with its request's `authorization`
 * header): each line is redacted here, and objects are never expanded.
 */
export async function routeSdkLog(logger: Pick<Logger, 'debug'>): Promise<void> {
  const { AzureLogger, setLogLevel } = await import('@azure/logger');
  setLogLevel('verbose');
  AzureLogger.log = (...args: unknown[]) =>
    logger.debug(redactSdkLog(args.map((arg) => String(arg)).join(' ')));
}

/**
 * One Entra token per identity and scope, asked once and shared by every registry that needs it: the
 * registries of a login, or those a renewal renews in one process.
 */
export function entraTokens(
  ctx: IdentityContext,
): (identity: Identity, scope: string) => Promise<EntraToken> {
  const tokens = new Map<string, Promise<EntraToken>>();
  return (identity, scope) => {
    const key = `${identityKey(identity)}|${scope}`;
    let token = tokens.get(key);
    if (token === undefined) {
      token = getEntraToken(identity, scope, ctx);
      tokens.set(key, token);
    }
    return token;
  };
}

/** Gets one Microsoft Entra token for `scope`, masked before it is returned. */
export async function getEntraToken(
  identity: Identity,
  scope: string,
  ctx: IdentityContext,
): Promise<EntraToken> {
  ctx.logger.debug(`Requesting a Microsoft Entra token for ${describeIdentity(identity)} (scope ${scope})`);
  const kind = kindOf(identity);
  let federated: string | undefined;
  try {
    let token: EntraToken;
    if (kind.via === 'direct') {
      // Direct kinds all carry an app and a tenant.
      const direct = identity as Identity & { tenantId: string; clientId: string };
      // Awaiting a proof at hand (a secret) would yield to the registries' challenges, which the login starts
      // in the same turn: the token's connection would open behind theirs, and every exchange waits for it.
      const given = kind.proof(identity, ctx);
      const proof: Proof = given instanceof Promise ? await given : given;
      federated = proof.federated;
      const request = clientCredentialsRequest({
        cloud: ctx.cloud,
        tenantId: direct.tenantId,
        clientId: direct.clientId,
        scope,
        proof: proof.proof,
      });
      token = processTokenResponse(await ctx.http.send(request), ctx.clock.now());
    } else {
      if (ctx.debug === true) await routeSdkLog(ctx.logger);
      const sdk = await import('@azure/identity');
      const credential = kind.credential(identity, sdk, {
        authorityHost: ctx.cloud.authorityHost,
        disableInstanceDiscovery: ctx.cloud.disableInstanceDiscovery,
        httpClient: await azureHttpClient(ctx.dispatcher),
      });
      const result = await credential.getToken(scope);
      if (result === null) throw new Error('the credential returned no token');
      token = { token: result.token, expiresOn: new Date(result.expiresOnTimestamp) };
    }
    ctx.logger.mask(token.token);
    const subject = federated === undefined ? undefined : readOidcClaims(federated)?.sub;
    return subject === undefined || subject === '' ? token : { ...token, subject };
  } catch (error) {
    throw entraError(error, identity, scope, ctx.cloud, federated);
  }
}

/** The ids Microsoft support asks for, as Entra words them in its errors. */
export function supportFacts(message: string): Record<string, string> {
  const facts: Record<string, string> = {};
  // MSAL also writes placeholders ("Timestamp: Not Available - Description: ..."): a value must start
  // the way an id (hex) or a date (a digit) does.
  for (const [label, name, start] of [
    ['Correlation ID', 'correlation id', /^[0-9a-f]/i],
    ['Trace ID', 'trace id', /^[0-9a-f]/i],
    ['Timestamp', 'timestamp', /^\d/],
  ] as const) {
    const pattern = new RegExp(
      `${label}: ([0-9A-Za-z:.\\- ]+?)(?=\\s+(?:Trace ID|Correlation ID|Timestamp):|\\s*$|[\\r\\n'"])`,
      'g',
    );
    const value = [...message.matchAll(pattern)]
      .map((match) => (match[1] ?? '').replace(/[\s-]+$/, ''))
      .find((v) => start.test(v));
    if (value !== undefined) facts[name] = value;
  }
  return facts;
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
  const who = describeIdentity(identity);
  const claims = oidcToken === undefined ? undefined : readOidcClaims(oidcToken);
  const explained = explainEntraError(errorMessage(error), {
    authType: identity.type,
    defaultAudience: cloud.oidcAudience,
    ...('clientId' in identity && identity.clientId !== undefined ? { clientId: identity.clientId } : {}),
    ...('tenantId' in identity && identity.tenantId !== undefined ? { tenantId: identity.tenantId } : {}),
    ...(claims === undefined ? {} : { oidcClaims: claims }),
  });
  const details: Record<string, string> = { ...claims, ...supportFacts(errorMessage(error)) };
  if (explained !== undefined) {
    return new AcrLoginError(
      'ENTRA_AUTH_FAILED',
      `Microsoft Entra ID refused a token for ${who} (${explained.code}): ${explained.explanation} ${explained.fix}`,
      { cause: error, details },
    );
  }
  const kind = kindOf(identity);
  const unexplained = kind.unexplained?.(identity, error);
  if (unexplained !== undefined) return unexplained;
  return new AcrLoginError(
    'ENTRA_AUTH_FAILED',
    `Microsoft Entra ID (${cloud.authorityHost}) did not issue a token for ${who} and scope ${scope}: ${firstLine(error)}`,
    { cause: error, details },
  );
}
