import { describe, expect, test } from 'vitest';
import { hasFields, unbracketHost } from '../src/util.ts';

describe('hasFields: a parsed JSON value with fields of given types', () => {
  const shape = { username: 'string', expiresOn: 'number' } as const;

  test.each([
    ['every field of its type', { username: 'u', expiresOn: 1 }, true],
    ['more fields than asked for', { username: 'u', expiresOn: 1, extra: null }, true],
    ['a field of another type', { username: 'u', expiresOn: '1' }, false],
    ['a field missing', { username: 'u' }, false],
    ['null', null, false],
    ['a string', 'u', false],
    ['an array', ['u', 1], false],
    ['undefined (text that was not JSON)', undefined, false],
  ])('%s: %s', (_name, value, expected) => {
    expect(hasFields(value, shape)).toBe(expected);
  });
});

describe('unbracketHost: a host as a socket and TLS take it', () => {
  test.each([
    ['[::1]', '::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['::1', '::1'],
    ['contoso.azurecr.io', 'contoso.azurecr.io'],
    ['127.0.0.1', '127.0.0.1'],
    ['', ''],
  ])('%j -> %j', (host, bare) => {
    expect(unbracketHost(host)).toBe(bare);
  });
});
