import { describe, expect, test } from 'vitest';
import type { HttpResponse } from '../../src/http.ts';
import {
  accessTokenRequest,
  acrErrorText,
  basicTokenRequest,
  exchangeRequest,
  processAccessTokenResponse,
  processBasicTokenResponse,
  processChallengeResponse,
  processExchangeResponse,
} from '../../src/registry/acr.ts';
import { catchError } from '../support.ts';

const server = 'contoso.azurecr.io';
const origin = `https://${server}`;
const res = (status: number, body = '', headers: Record<string, string> = {}): HttpResponse => ({
  status,
  body,
  headers,
});
const challenge = `Bearer realm="https://${server}/oauth2/token",service="${server}"`;

describe('processChallengeResponse', () => {
  test('reads the service from the Bearer challenge', () => {
    expect(processChallengeResponse(server, res(401, '', { 'www-authenticate': challenge }))).toEqual({
      service: server,
      open: false,
    });
  });

  test('an open registry needs no token', () => {
    expect(processChallengeResponse(server, res(200))).toEqual({ service: server, open: true });
  });

  test.each([
    [res(401), 'REGISTRY_PROTOCOL', 'without a Bearer challenge'],
    [
      res(401, '', { 'www-authenticate': 'Basic realm="x"' }),
      'REGISTRY_PROTOCOL',
      'not an Azure Container Registry',
    ],
    [res(403, '', { 'x-ms-correlation-request-id': 'c-1' }), 'REGISTRY_FORBIDDEN', 'firewall'],
    [res(404), 'REGISTRY_PROTOCOL', 'not a container registry'],
    [res(500, '{"errors":[{"code":"INTERNAL","message":"boom"}]}'), 'HTTP_FAILED', 'INTERNAL boom'],
  ])('%#: HTTP %o -> %s', (response, code, text) => {
    expect(() => processChallengeResponse(server, response)).toThrowError(
      expect.objectContaining({ code, message: expect.stringContaining(text) }),
    );
  });
});

describe('exchange', () => {
  test('request carries grant, service, tenant and token as a form, no Authorization header', () => {
    const req = exchangeRequest({ origin, service: server, tenantId: 't-1', entraToken: 'entra' });
    expect(req).toMatchObject({
      method: 'POST',
      url: `${origin}/oauth2/exchange`,
      form: { grant_type: 'access_token', service: server, tenant: 't-1', access_token: 'entra' },
    });
    expect(req.headers).toBeUndefined();
  });

  const ctx = { loginServer: server, identity: 'the app a in tenant t', audience: 'acr' as const };

  test('returns the refresh token', () => {
    expect(processExchangeResponse(ctx, res(200, '{"refresh_token":"rt"}'))).toBe('rt');
  });

  test.each([
    [res(200, '{}'), 'REGISTRY_PROTOCOL', 'without a refresh_token'],
    [
      res(401, '{"errors":[{"code":"UNAUTHORIZED","message":"no role"}]}'),
      'ACR_EXCHANGE_DENIED',
      '"AcrPull"',
    ],
    [res(403), 'ACR_EXCHANGE_DENIED', 'Container Registry Repository Reader'],
    [res(502, 'gateway'), 'HTTP_FAILED', 'HTTP 502'],
    [res(503), 'HTTP_FAILED', 'failing or throttling: retry later'],
    [res(429), 'HTTP_FAILED', 'failing or throttling: retry later'],
    [res(400), 'HTTP_FAILED', 'refused the request itself'],
    [res(404), 'HTTP_FAILED', 'is an Azure Container Registry login server'],
  ])('%#: -> %s', (response, code, text) => {
    expect(() => processExchangeResponse(ctx, response)).toThrowError(
      expect.objectContaining({ code, message: expect.stringContaining(text) }),
    );
  });

  test('a denied ARM-audience exchange leads with the audience, then the roles', () => {
    const error = catchError(() => processExchangeResponse({ ...ctx, audience: 'arm' }, res(401)));
    const fix = error.message.slice(error.message.indexOf('(HTTP 401).') + '(HTTP 401).'.length);
    expect(fix).toMatch(
      /^ This login asked for an ARM-audience token .* remove "token-audience" or set it to acr/,
    );
    expect(fix.indexOf('token-audience')).toBeLessThan(fix.indexOf('AcrPull'));
  });

  test('a denied ACR-audience exchange leads with the roles', () => {
    const error = catchError(() => processExchangeResponse(ctx, res(401)));
    expect(error.message).toMatch(/\(HTTP 401\)\. Grant this identity the "AcrPull" role/);
    expect(error.message).not.toContain('token-audience');
  });

  test('keeps the correlation id for support', () => {
    try {
      processExchangeResponse(ctx, res(401, '', { 'x-ms-correlation-request-id': 'abc' }));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ details: { correlationId: 'abc' } });
    }
  });
});

describe('token endpoint', () => {
  test('refresh-token grant repeats scope', () => {
    expect(
      accessTokenRequest({
        origin,
        service: server,
        refreshToken: 'rt',
        scopes: ['repository:a:pull', 'repository:b:push'],
      }).form,
    ).toEqual({
      grant_type: 'refresh_token',
      service: server,
      scope: ['repository:a:pull', 'repository:b:push'],
      refresh_token: 'rt',
    });
  });

  test('access token is read; denial explains roles', () => {
    expect(processAccessTokenResponse(server, res(200, '{"access_token":"at"}'))).toBe('at');
    expect(() => processAccessTokenResponse(server, res(401))).toThrowError(
      expect.objectContaining({ code: 'ACR_TOKEN_DENIED' }),
    );
  });

  test('basic request encodes user:pass and names no secret in its purpose', () => {
    const req = basicTokenRequest({ origin, service: server, basic: { username: 'u', password: 'p:w' } });
    expect(req.headers?.authorization).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
    expect(req.url).toBe(`${origin}/oauth2/token?service=contoso.azurecr.io`);
    expect(req.purpose).not.toContain('p:w');
  });

  test('anonymous request has no Authorization header', () => {
    expect(basicTokenRequest({ origin, service: server }).headers).toEqual({});
  });

  test.each([
    [true, 'ACR_ANONYMOUS_DISABLED', 'anonymous-pull-enabled'],
    [false, 'ACR_TOKEN_DENIED', '"username" and "password"'],
  ])('401 with anonymous=%s -> %s', (anonymous, code, text) => {
    expect(() => processBasicTokenResponse(server, anonymous, res(401))).toThrowError(
      expect.objectContaining({ code, message: expect.stringContaining(text) }),
    );
  });

  test('200 with a token passes', () => {
    expect(() => processBasicTokenResponse(server, false, res(200, '{"access_token":"x"}'))).not.toThrow();
  });
});

describe('acrErrorText', () => {
  test.each([
    [
      '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}',
      ': DENIED requested access to the resource is denied',
    ],
    // On one line: a CR or LF in the server's text would start a line of the log, a command to the CI.
    [
      '{"errors":[{"code":"DENIED","message":"no\\n::warning::injected\\r\\n##vso[task.complete]\\u001b[31m"}]}',
      ': DENIED no ::warning::injected ##vso[task.complete] [31m',
    ],
    ['{"errors":[]}', ''],
    ['<html>', ''],
    ['', ''],
  ])('%j -> %j', (body, expected) => {
    expect(acrErrorText(body)).toBe(expected);
  });
});
