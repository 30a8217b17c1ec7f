import { describe, expect, test } from 'vitest';
import type { ErrorCode } from '../../src/errors.ts';
import { isDnsName } from '../../src/ids.ts';
import { CLOUDS, type CloudInputs, cloudForAuthority, resolveCloud } from '../../src/plan/clouds.ts';
import type { InputKey } from '../../src/types.ts';
import { plainWords } from '../../src/wording.ts';
import { catchError } from '../support.ts';

describe('CLOUDS', () => {
  test.each([
    [
      'AzureCloud',
      'https://login.microsoftonline.com',
      'azurecr.io',
      'api://AzureADTokenExchange',
      'https://management.azure.com/.default',
    ],
    [
      'AzureChinaCloud',
      'https://login.chinacloudapi.cn',
      'azurecr.cn',
      'api://AzureADTokenExchangeChina',
      'https://management.chinacloudapi.cn/.default',
    ],
    [
      'AzureUSGovernment',
      'https://login.microsoftonline.us',
      'azurecr.us',
      'api://AzureADTokenExchangeUSGov',
      'https://management.usgovcloudapi.net/.default',
    ],
  ] as const)('%s', (name, authorityHost, registrySuffix, oidcAudience, armScope) => {
    expect(CLOUDS[name]).toEqual({
      name,
      authorityHost,
      registrySuffix,
      oidcAudience,
      armScope,
      disableInstanceDiscovery: false,
    });
  });
});

describe('resolveCloud: names', () => {
  test.each([
    [undefined, 'AzureCloud'],
    ['', 'AzureCloud'],
    ['  ', 'AzureCloud'],
    ['AzureCloud', 'AzureCloud'],
    ['azurecloud', 'AzureCloud'],
    [' AZURECLOUD ', 'AzureCloud'],
    ['AzurePublicCloud', 'AzureCloud'],
    ['AzureChinaCloud', 'AzureChinaCloud'],
    ['azurechinacloud', 'AzureChinaCloud'],
    ['AzureUSGovernment', 'AzureUSGovernment'],
    ['AzureUSGovernmentCloud', 'AzureUSGovernment'],
  ] as const)('%j is %s', (environment, name) => {
    expect(resolveCloud({ environment })).toEqual(CLOUDS[name]);
  });

  test('audience overrides the cloud default', () => {
    expect(resolveCloud({ environment: 'AzureChinaCloud', audience: 'api://custom' }).oidcAudience).toBe(
      'api://custom',
    );
  });
});

describe('resolveCloud: custom clouds and overrides', () => {
  test.each<[string, CloudInputs, Partial<ReturnType<typeof resolveCloud>>]>([
    [
      'custom: authority normalised to origin, suffix without leading dot',
      {
        environment: 'custom',
        authorityHost: 'https://Login.Example.COM/',
        registrySuffix: '.CR.Example.com',
      },
      {
        name: 'custom',
        authorityHost: 'https://login.example.com',
        registrySuffix: 'cr.example.com',
        oidcAudience: 'api://AzureADTokenExchange',
        armScope: '',
        disableInstanceDiscovery: true,
      },
    ],
    [
      'AzureStack is a custom cloud',
      { environment: 'AzureStack', authorityHost: 'https://adfs.local:8443', registrySuffix: 'azsacr.local' },
      {
        name: 'custom',
        authorityHost: 'https://adfs.local:8443',
        registrySuffix: 'azsacr.local',
        disableInstanceDiscovery: true,
      },
    ],
    [
      'custom with an audience',
      { environment: 'Custom', authorityHost: 'https://a.b', registrySuffix: 'c.d', audience: 'api://x' },
      { oidcAudience: 'api://x' },
    ],
    [
      'named cloud with a private authority host keeps suffix and audience, skips instance discovery',
      { environment: 'AzureCloud', authorityHost: 'https://entra-proxy.contoso.com' },
      {
        name: 'AzureCloud',
        authorityHost: 'https://entra-proxy.contoso.com',
        registrySuffix: 'azurecr.io',
        oidcAudience: 'api://AzureADTokenExchange',
        disableInstanceDiscovery: true,
      },
    ],
    [
      'named cloud with its own authority host is unchanged',
      { environment: 'AzureUSGovernment', authorityHost: 'https://login.microsoftonline.us/' },
      CLOUDS.AzureUSGovernment,
    ],
    [
      'named cloud with its own registry suffix is unchanged',
      { environment: 'AzureChinaCloud', registrySuffix: '.azurecr.cn' },
      CLOUDS.AzureChinaCloud,
    ],
  ])('%s', (_name, inputs, expected) => {
    expect(resolveCloud(inputs)).toMatchObject(expected);
  });
});

describe('resolveCloud: errors', () => {
  test.each<[string, CloudInputs, ErrorCode, string, RegExp]>([
    ['unknown name', { environment: 'Mars' }, 'CLOUD_UNKNOWN', 'environment', /AzureCloud, AzureChinaCloud/],
    [
      'custom without anything',
      { environment: 'custom' },
      'INPUT_REQUIRED',
      'authorityHost',
      /"registry-suffix"/,
    ],
    [
      'custom without suffix',
      { environment: 'custom', authorityHost: 'https://a.b' },
      'INPUT_REQUIRED',
      'registrySuffix',
      /"registry-suffix"/,
    ],
    [
      'custom with http authority',
      { environment: 'custom', authorityHost: 'http://login.local', registrySuffix: 'a.b' },
      'INPUT_INVALID',
      'authorityHost',
      /HTTPS only/,
    ],
    [
      'authority host that is not a URL',
      { environment: 'custom', authorityHost: 'login.local', registrySuffix: 'a.b' },
      'INPUT_INVALID',
      'authorityHost',
      /not a URL/,
    ],
    [
      'authority host with a tenant path',
      { authorityHost: 'https://login.microsoftonline.com/contoso.onmicrosoft.com' },
      'INPUT_INVALID',
      'authorityHost',
      /"tenant-id"/,
    ],
    [
      'suffix with a scheme',
      { environment: 'custom', authorityHost: 'https://a.b', registrySuffix: 'https://azurecr.io' },
      'INPUT_INVALID',
      'registrySuffix',
      /not a DNS suffix/,
    ],
    [
      'single-label suffix',
      { environment: 'custom', authorityHost: 'https://a.b', registrySuffix: 'io' },
      'INPUT_INVALID',
      'registrySuffix',
      /not a DNS suffix/,
    ],
    [
      'a different suffix for a named cloud',
      { environment: 'AzureCloud', registrySuffix: 'example.com' },
      'INPUT_CONFLICT',
      'registrySuffix',
      /"trusted-registries"/,
    ],
    [
      'a different suffix with the default cloud',
      { registrySuffix: 'azurecr.cn' },
      'INPUT_CONFLICT',
      'registrySuffix',
      /defaults to AzureCloud/,
    ],
  ])('%s', (_name, inputs, code, input, message) => {
    const error = catchError(() => resolveCloud(inputs));
    expect(error.code).toBe(code);
    expect(error.input).toBe(input);
    expect(error.message).toContain(plainWords.input(input as InputKey));
    expect(error.message).toMatch(message);
  });
});

describe('cloudForAuthority', () => {
  test.each([
    ['https://login.microsoftonline.com', 'AzureCloud'],
    ['https://login.microsoftonline.com/', 'AzureCloud'],
    ['https://LOGIN.chinacloudapi.cn/', 'AzureChinaCloud'],
    ['https://login.partner.microsoftonline.cn', 'AzureChinaCloud'],
    ['https://login.microsoftonline.us', 'AzureUSGovernment'],
    ['https://adfs.local', undefined],
    ['not a url', undefined],
  ])('%s', (url, expected) => {
    expect(cloudForAuthority(url)).toBe(expected);
  });
});

describe('isDnsName', () => {
  test.each([
    ['contoso.azurecr.io', true],
    ['a', true],
    ['a-b.c1', true],
    [`${'a'.repeat(63)}.io`, true],
    [`${'a'.repeat(64)}.io`, false],
    ['-a.io', false],
    ['a-.io', false],
    ['a..io', false],
    ['a_b.io', false],
    ['', false],
  ])('%j -> %s', (name, expected) => {
    expect(isDnsName(name)).toBe(expected);
  });
});
