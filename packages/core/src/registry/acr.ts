import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError } from '../errors.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../http.ts';
import type { Identity } from '../identity/kinds/index.ts';
import { describeIdentity } from '../identity/kinds/index.ts';
import { stripControl } from '../log-text.ts';
import { basicCredentials } from '../util.ts';
import { input } from '../wording.ts';
import { bearerChallenge } from './challenge.ts';

/**
 * The ACR auth protocol (Azure/acr docs AAD-OAuth.md, Token-BasicAuth.md). Each step is a request
 * builder and a response processor, so both can be tested without a network.
 */

export interface Challenge {
  /** `service` from the Bearer challenge: the value the exchange and token requests must name. */
  readonly service: string;
  /** The registry answered `/v2/` without asking for credentials. */
  readonly open: boolean;
}

export function challengeRequest(origin: string): HttpRequest {
  return { method: 'GET', url: `${origin}/v2/`, purpose: `registry challenge at ${new URL(origin).host}` };
}

export function processChallengeResponse(loginServer: string, res: HttpResponse): Challenge {
  if (res.status === 200) return { service: loginServer, open: true };
  if (res.status === 401) {
    const header = res.headers['www-authenticate'];
    const bearer = header === undefined ? undefined : bearerChallenge(header);
    if (bearer === undefined) {
      throw new AcrLoginError(
        'REGISTRY_PROTOCOL',
        `"${loginServer}" answered /v2/ with 401 but without a Bearer challenge, so it is not an Azure Container Registry. Check the ${input('registry')} input.`,
        { input: 'registry' },
      );
    }
    return { service: bearer.service ?? loginServer, open: false };
  }
  if (res.status === 403) {
    throw new AcrLoginError('REGISTRY_FORBIDDEN', ERROR_TEXTS.REGISTRY_FORBIDDEN.firewall(loginServer), {
      details: correlation(res),
    });
  }
  if (res.status === 404) {
    throw new AcrLoginError(
      'REGISTRY_PROTOCOL',
      `"${loginServer}" has no /v2/ endpoint (HTTP 404), so it is not a container registry. Check the ${input('registry')} input.`,
      { input: 'registry' },
    );
  }
  throw unexpected(loginServer, '/v2/', res);
}

export interface ExchangeParams {
  readonly origin: string;
  readonly service: string;
  readonly tenantId: string | undefined;
  readonly entraToken: string;
}

export function exchangeRequest(params: ExchangeParams): HttpRequest {
  return {
    method: 'POST',
    url: `${params.origin}/oauth2/exchange`,
    purpose: `token exchange at ${new URL(params.origin).host}`,
    form: {
      grant_type: 'access_token',
      service: params.service,
      ...(params.tenantId === undefined ? {} : { tenant: params.tenantId }),
      access_token: params.entraToken,
    },
  };
}

/**
 * Exchanges an Entra token for `identity` at the registry: the request, then what its answer means. The
 * login and the renewal both call this.
 */
export async function exchangeEntraToken(
  http: HttpClient,
  params: {
    readonly loginServer: string;
    readonly origin: string;
    readonly service: string;
    readonly identity: Identity;
    readonly audience: 'acr' | 'arm';
    readonly entraToken: string;
  },
): Promise<string> {
  const { loginServer, origin, service, identity, audience, entraToken } = params;
  const tenantId = 'tenantId' in identity ? identity.tenantId : undefined;
  const res = await http.send(exchangeRequest({ origin, service, tenantId, entraToken }));
  return processExchangeResponse({ loginServer, identity: describeIdentity(identity), audience }, res);
}

export interface ExchangeContext {
  readonly loginServer: string;
  /** Who asked, for the message: `the app 1234... in tenant abcd...`. */
  readonly identity: string;
  readonly audience: 'acr' | 'arm';
}

export function processExchangeResponse(ctx: ExchangeContext, res: HttpResponse): string {
  if (res.status === 200) {
    const token = jsonField(res.body, 'refresh_token');
    if (token !== undefined) return token;
    throw new AcrLoginError(
      'REGISTRY_PROTOCOL',
      `"${ctx.loginServer}" answered the token exchange without a refresh_token.`,
      { details: correlation(res) },
    );
  }
  if (res.status === 401 || res.status === 403) {
    const said = acrErrorText(res.body);
    const refused = `"${ctx.loginServer}" refused the Entra token of ${ctx.identity} (HTTP ${res.status}${said}).`;
    const roles = ERROR_TEXTS.ACR_EXCHANGE_DENIED.roles;
    // An ARM token is the likelier cause: registries with authentication-as-arm disabled refuse every one.
    const text =
      ctx.audience === 'arm'
        ? ERROR_TEXTS.ACR_EXCHANGE_DENIED.armRefused(refused, roles)
        : ERROR_TEXTS.ACR_EXCHANGE_DENIED.refused(refused);
    throw new AcrLoginError('ACR_EXCHANGE_DENIED', text, { details: correlation(res) });
  }
  throw unexpected(ctx.loginServer, '/oauth2/exchange', res);
}

export interface RefreshTokenParams {
  readonly origin: string;
  readonly service: string;
  readonly refreshToken: string;
  /** e.g. `repository:team/app:pull,push`; repeated in the form. */
  readonly scopes: readonly string[];
}

export function accessTokenRequest(params: RefreshTokenParams): HttpRequest {
  return {
    method: 'POST',
    url: `${params.origin}/oauth2/token`,
    purpose: `access token request at ${new URL(params.origin).host}`,
    form: {
      grant_type: 'refresh_token',
      service: params.service,
      scope: params.scopes,
      refresh_token: params.refreshToken,
    },
  };
}

export function processAccessTokenResponse(loginServer: string, res: HttpResponse): string {
  if (res.status === 200) {
    const token = jsonField(res.body, 'access_token');
    if (token !== undefined) return token;
    throw new AcrLoginError(
      'REGISTRY_PROTOCOL',
      `"${loginServer}" answered /oauth2/token without an access_token.`,
    );
  }
  if (res.status === 401 || res.status === 403) {
    throw new AcrLoginError(
      'ACR_TOKEN_DENIED',
      `"${loginServer}" refused the access token request (HTTP ${res.status}${acrErrorText(res.body)}). The identity lacks a role that allows the requested repository actions.`,
      { details: correlation(res) },
    );
  }
  throw unexpected(loginServer, '/oauth2/token', res);
}

export interface BasicTokenParams {
  readonly origin: string;
  readonly service: string;
  /** Undefined: ask anonymously. */
  readonly basic?: { readonly username: string; readonly password: string };
}

/** What docker and skopeo do with a username and password: GET /oauth2/token with Basic auth. */
export function basicTokenRequest(params: BasicTokenParams): HttpRequest {
  const query = new URLSearchParams({ service: params.service });
  const headers: Record<string, string> = {};
  if (params.basic !== undefined) {
    headers.authorization = `Basic ${basicCredentials(params.basic.username, params.basic.password)}`;
  }
  return {
    method: 'GET',
    url: `${params.origin}/oauth2/token?${query.toString()}`,
    headers,
    purpose: `${params.basic === undefined ? 'anonymous' : 'password'} token request at ${new URL(params.origin).host}`,
  };
}

export function processBasicTokenResponse(loginServer: string, anonymous: boolean, res: HttpResponse): void {
  if (res.status === 200 && jsonField(res.body, 'access_token') !== undefined) return;
  if (res.status === 401 || res.status === 403) {
    if (anonymous) {
      throw new AcrLoginError(
        'ACR_ANONYMOUS_DISABLED',
        `"${loginServer}" does not allow anonymous pull (HTTP ${res.status}). Enable it with "az acr update --name <registry> --anonymous-pull-enabled", or choose an ${input('authType')} that signs in.`,
        { input: 'authType', details: correlation(res) },
      );
    }
    throw new AcrLoginError(
      'ACR_TOKEN_DENIED',
      ERROR_TEXTS.ACR_TOKEN_DENIED.passwordRejected(loginServer, res.status, acrErrorText(res.body)),
      { input: 'password', details: correlation(res) },
    );
  }
  throw unexpected(loginServer, '/oauth2/token', res);
}

function jsonField(body: string, field: string): string | undefined {
  try {
    const value = (JSON.parse(body) as Record<string, unknown>)[field];
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `: <message>` from ACR's `{"errors":[{"code","message"}]}`, or nothing, without control characters. Never
 * echoes tokens: ACR does not.
 */
export function acrErrorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = parsed.errors?.[0];
    const message = typeof first?.message === 'string' ? first.message : undefined;
    const code = typeof first?.code === 'string' ? first.code : undefined;
    if (message === undefined && code === undefined) return '';
    // The server's words, on one line: no CR or LF to start a line of the log.
    return stripControl(`: ${[code, message].filter((part) => part !== undefined).join(' ')}`).slice(0, 300);
  } catch {
    return '';
  }
}

function correlation(res: HttpResponse): Record<string, string> {
  const id = res.headers['x-ms-correlation-request-id'];
  return id === undefined ? {} : { correlationId: id };
}

/**
 * A status the protocol does not explain. A server error or throttling outlasted the retries; any other
 * status means the request itself was refused, which waiting will not change.
 */
export function unexpected(loginServer: string, what: string, res: HttpResponse): AcrLoginError {
  const id = res.headers['x-ms-correlation-request-id'];
  const fix =
    res.status >= 500 || res.status === 429 || res.status === 408
      ? 'The registry is failing or throttling: retry later, and if it persists check https://azure.status.microsoft.'
      : ERROR_TEXTS.HTTP_FAILED.requestRefusedFix;
  return new AcrLoginError(
    'HTTP_FAILED',
    `"${loginServer}" answered ${what} with HTTP ${res.status}${acrErrorText(res.body)}${id === undefined ? '' : ` (correlation id ${id})`}. ${fix}`,
    { details: correlation(res) },
  );
}
