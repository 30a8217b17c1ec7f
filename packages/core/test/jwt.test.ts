import { UnsecuredJWT } from 'jose';
import { describe, expect, test } from 'vitest';
import { decodeJwt, readOidcClaims, readTokenInfo } from '../src/jwt.ts';

const jwt = (claims: Record<string, unknown>) => new UnsecuredJWT(claims).encode();

describe('readTokenInfo', () => {
  test.each([
    [
      'lower-case permissions',
      { exp: 1_800_000_000, iat: 1_799_988_300, permissions: { actions: ['read'], notActions: ['delete'] } },
      ['read'],
      ['delete'],
    ],
    [
      'capitalised permissions',
      { exp: 1_800_000_000, permissions: { Actions: ['*'], NotActions: [] } },
      ['*'],
      [],
    ],
    ['no permissions', { exp: 1_800_000_000 }, [], []],
  ])('%s', (_name, claims, actions, notActions) => {
    const info = readTokenInfo(jwt(claims));
    expect(info?.expiresOn?.toISOString()).toBe(new Date(1_800_000_000_000).toISOString());
    expect(info?.actions).toEqual(actions);
    expect(info?.notActions).toEqual(notActions);
  });

  test('a token without exp has no expiry', () => {
    expect(readTokenInfo(jwt({ sub: 'x' }))?.expiresOn).toBeUndefined();
  });

  test.each(['', 'admin-password', 'a.b.c'])('%j is not a JWT', (value) => {
    expect(readTokenInfo(value)).toBeUndefined();
  });
});

test('readOidcClaims shows issuer, subject and audience only', () => {
  const token = jwt({
    iss: 'https://token.actions.githubusercontent.com',
    sub: 'repo:o/r:ref:refs/heads/main',
    aud: ['api://AzureADTokenExchange'],
    jti: 'x',
  });
  expect(readOidcClaims(token)).toEqual({
    iss: 'https://token.actions.githubusercontent.com',
    sub: 'repo:o/r:ref:refs/heads/main',
    aud: 'api://AzureADTokenExchange',
  });
  expect(readOidcClaims('nope')).toBeUndefined();
});

describe('decodeJwt: the claims of a compact JWS, unverified', () => {
  const segment = (value: string) => Buffer.from(value, 'utf8').toString('base64url');
  test('claims of a token jose encodes', () => {
    expect(decodeJwt(jwt({ sub: 'repo:o/r:ref:refs/heads/main', exp: 1 }))).toEqual({
      sub: 'repo:o/r:ref:refs/heads/main',
      exp: 1,
    });
  });
  test.each([
    ['two segments', `${segment('{}')}.${segment('{"a":1}')}`],
    ['a JWE (five segments)', 'a.b.c.d.e'],
    ['a payload that is not JSON', `${segment('{}')}.${segment('not json')}.sig`],
    ['a payload that is an array', `${segment('{}')}.${segment('[1]')}.sig`],
    ['a payload that is null', `${segment('{}')}.${segment('null')}.sig`],
  ])('refuses %s', (_name, token) => {
    expect(() => decodeJwt(token)).toThrow();
  });
});
