import { describe, expect, test } from 'vitest';
import { type AuthChallenge, bearerChallenge, parseWwwAuthenticate } from '../../src/registry/challenge.ts';

const c = (scheme: string, params: Record<string, string> = {}, token68?: string): AuthChallenge => ({
  scheme,
  params,
  ...(token68 === undefined ? {} : { token68 }),
});

describe('parseWwwAuthenticate', () => {
  test.each<[string, string, AuthChallenge[]]>([
    [
      'ACR challenge',
      'Bearer realm="https://contoso.azurecr.io/oauth2/token",service="contoso.azurecr.io"',
      [c('bearer', { realm: 'https://contoso.azurecr.io/oauth2/token', service: 'contoso.azurecr.io' })],
    ],
    [
      'scope value with commas and colons',
      'Bearer realm="https://r/oauth2/token",service="r",scope="repository:a:pull,push"',
      [c('bearer', { realm: 'https://r/oauth2/token', service: 'r', scope: 'repository:a:pull,push' })],
    ],
    [
      'case-insensitive scheme and parameter names, values kept',
      'BEARER Realm="R",SERVICE="MixedCase"',
      [c('bearer', { realm: 'R', service: 'MixedCase' })],
    ],
    [
      'spaces around = and after commas',
      'Bearer realm = "x" ,  service= y',
      [c('bearer', { realm: 'x', service: 'y' })],
    ],
    [
      'unquoted token values',
      'Basic realm=simple, charset=UTF-8',
      [c('basic', { realm: 'simple', charset: 'UTF-8' })],
    ],
    [
      'backslash escapes in quoted strings',
      String.raw`Bearer realm="a \"quoted\" \\ word"`,
      [c('bearer', { realm: 'a "quoted" \\ word' })],
    ],
    ['empty quoted value', 'Bearer realm=""', [c('bearer', { realm: '' })]],
    [
      'two challenges',
      'Basic realm="registry", Bearer realm="https://r/t",service="r"',
      [c('basic', { realm: 'registry' }), c('bearer', { realm: 'https://r/t', service: 'r' })],
    ],
    [
      'challenge after a comma inside a quoted value',
      'Bearer scope="a,b", Basic realm="c, d"',
      [c('bearer', { scope: 'a,b' }), c('basic', { realm: 'c, d' })],
    ],
    ['token68', 'Negotiate YWJjZA==', [c('negotiate', {}, 'YWJjZA==')]],
    [
      'token68 then a challenge',
      'Negotiate abc=, Bearer realm="x"',
      [c('negotiate', {}, 'abc='), c('bearer', { realm: 'x' })],
    ],
    ['bare schemes', 'Negotiate, NTLM', [c('negotiate'), c('ntlm')]],
    ['scheme without parameters', 'Bearer', [c('bearer')]],
    ['first of a repeated parameter wins', 'Bearer realm="a", realm="b"', [c('bearer', { realm: 'a' })]],
    ['unterminated quoted string runs to the end', 'Bearer realm="abc', [c('bearer', { realm: 'abc' })]],
    [
      'leading and doubled commas',
      ' , Bearer realm="x",, service="y"',
      [c('bearer', { realm: 'x', service: 'y' })],
    ],
    ['empty header', '', []],
    ['only separators', ' ,, ', []],
  ])('%s', (_name, header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });

  test('a parameter named __proto__ is stored as data, not as a prototype', () => {
    const [challenge] = parseWwwAuthenticate('Bearer __proto__="x", realm="r"');
    expect(Object.entries(challenge?.params ?? {})).toEqual([
      ['__proto__', 'x'],
      ['realm', 'r'],
    ]);
    expect(Object.getPrototypeOf(challenge?.params)).toBeNull();
  });
});

describe('bearerChallenge', () => {
  test.each<[string, string, ReturnType<typeof bearerChallenge>]>([
    [
      'ACR',
      'Bearer realm="https://contoso.azurecr.io/oauth2/token",service="contoso.azurecr.io"',
      { realm: 'https://contoso.azurecr.io/oauth2/token', service: 'contoso.azurecr.io' },
    ],
    [
      'with scope',
      'Bearer realm="https://r/t",service="r",scope="repository:team/app:pull,push"',
      { realm: 'https://r/t', service: 'r', scope: 'repository:team/app:pull,push' },
    ],
    ['Bearer after Basic', 'Basic realm="x", bearer realm="y"', { realm: 'y' }],
    ['Bearer without parameters', 'Bearer', {}],
    ['only Basic', 'Basic realm="Registry Realm"', undefined],
    ['a parameter called bearer is not a scheme', 'Basic bearer="x"', undefined],
    ['empty', '', undefined],
  ])('%s', (_name, header, expected) => {
    expect(bearerChallenge(header)).toEqual(expected);
  });
});
