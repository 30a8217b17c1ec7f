import { describe, expect, test } from 'vitest';
import { AcrLoginError } from '../../src/errors.ts';
import type { LoginResult } from '../../src/login-result.ts';
import type { RegistryCredential } from '../../src/registry/credential.ts';
import { failureLines, failureText, loginOutputs, maskOnce } from '../../src/step/report.ts';

const credential = (loginServer: string, expiresOn?: string): RegistryCredential => ({
  loginServer,
  username: `user-${loginServer}`,
  password: `password-${loginServer}`,
  expiresOn: expiresOn === undefined ? undefined : new Date(expiresOn),
  authType: 'service-principal',
  identity: 'the app a in tenant t',
});

const result = (credentials: RegistryCredential[], dockerConfig?: string): LoginResult => ({
  credentials,
  access: [],
  dockerConfig,
  files: dockerConfig === undefined ? {} : { docker: dockerConfig },
  state: { version: 1, entries: [] },
});

describe('loginOutputs', () => {
  test('the first registry, every login server, and the earliest expiry', () => {
    const outputs = loginOutputs(
      result(
        [
          credential('a.azurecr.io', '2026-01-01T03:00:00.000Z'),
          credential('b.azurecr.io'),
          credential('c.azurecr.io', '2026-01-01T02:00:00.000Z'),
        ],
        '/home/runner/.docker/config.json',
      ),
    );
    expect(outputs).toEqual({
      loginServer: 'a.azurecr.io',
      loginServers: '["a.azurecr.io","b.azurecr.io","c.azurecr.io"]',
      username: 'user-a.azurecr.io',
      password: 'password-a.azurecr.io',
      expiresOn: '2026-01-01T02:00:00.000Z',
      dockerConfig: '/home/runner/.docker/config.json',
      access: '{}',
    });
  });

  test('access: login server and repository to what was granted, as JSON', () => {
    const outputs = loginOutputs({
      ...result([credential('a.azurecr.io')]),
      access: [
        {
          loginServer: 'a.azurecr.io',
          repository: 'app',
          asked: ['pull', 'push'],
          granted: ['pull', 'push'],
        },
        { loginServer: 'a.azurecr.io', repository: 'team/web', asked: ['pull'], granted: ['pull'] },
      ],
    });
    expect(JSON.parse(outputs.access)).toEqual({
      'a.azurecr.io/app': ['pull', 'push'],
      'a.azurecr.io/team/web': ['pull'],
    });
  });

  test('nothing known: empty strings, never "undefined"', () => {
    expect(loginOutputs(result([credential('a.azurecr.io')]))).toMatchObject({
      expiresOn: '',
      dockerConfig: '',
    });
  });
});

describe('failureLines', () => {
  test.each([
    [
      new AcrLoginError('REGISTRY_FORBIDDEN', 'Blocked.', { details: { correlationId: 'c-1' } }),
      ['Blocked.', '  correlationId: c-1', '  error code: REGISTRY_FORBIDDEN'],
    ],
    [
      new AcrLoginError('INPUT_REQUIRED', 'Set "tenant-id".'),
      ['Set "tenant-id".', '  error code: INPUT_REQUIRED'],
    ],
    [new Error('plain'), ['plain']],
    ['a string', ['a string']],
  ])('%#', (error, lines) => {
    expect(failureLines(error)).toEqual(lines);
  });
});

describe('failureText', () => {
  const page = 'https://github.com/acr-login/acr-login/blob/v1/docs/troubleshooting.md';

  test("ends with the link to the code's anchor, after the caller's hints", () => {
    const error = new AcrLoginError('ACR_EXCHANGE_DENIED', 'refused.', {
      details: { 'correlation id': 'c' },
    });
    expect(failureText(error, undefined, ['a hint']).split('\n')).toEqual([
      'refused.',
      '  correlation id: c',
      '  error code: ACR_EXCHANGE_DENIED',
      'a hint',
      `Troubleshooting: ${page}#acr_exchange_denied`,
    ]);
  });

  test('an error without a code links the page', () => {
    expect(failureText(new Error('boom'))).toBe(`boom\nTroubleshooting: ${page}`);
  });
});

describe('maskOnce: what a host registers with its CI', () => {
  test('each line once, however often and however split the secret is handed over', () => {
    const registered: string[] = [];
    const mask = maskOnce((line) => registered.push(line));
    mask('registry-Password-0123456789');
    mask(undefined);
    mask('');
    mask('registry-Password-0123456789');
    mask('first-line-of-a-key\nregistry-Password-0123456789\nsecond-line-of-a-key');
    expect(registered).toEqual([
      'registry-Password-0123456789',
      'first-line-of-a-key',
      'second-line-of-a-key',
    ]);
  });

  test('two hosts keep their own lists', () => {
    const a: string[] = [];
    const b: string[] = [];
    maskOnce((line) => a.push(line))('registry-Password-0123456789');
    maskOnce((line) => b.push(line))('registry-Password-0123456789');
    expect([a, b]).toEqual([['registry-Password-0123456789'], ['registry-Password-0123456789']]);
  });
});
