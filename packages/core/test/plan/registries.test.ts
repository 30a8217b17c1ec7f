import { describe, expect, test } from 'vitest';
import type { ErrorCode } from '../../src/errors.ts';
import { isGuid, isTenantId, isUnderSuffix } from '../../src/ids.ts';
import { CLOUDS, resolveCloud } from '../../src/plan/clouds.ts';
import {
  normaliseLoginServer,
  parseRegistries,
  parseRegistryEntry,
  type RegistryEntry,
} from '../../src/plan/registries.ts';
import { splitList } from '../../src/plan/values.ts';
import { catchError } from '../support.ts';

const publicCloud = CLOUDS.AzureCloud;
const custom = resolveCloud({
  environment: 'custom',
  authorityHost: 'https://login.local',
  registrySuffix: 'cr.local',
});
const TENANT = '5e7a1c2d-0b4f-4c3e-9a61-7d2f8e0c4b19';
const CLIENT = '11111111-2222-3333-4444-555555555555';

describe('splitList', () => {
  test.each([
    ['a', ['a']],
    ['a,b', ['a', 'b']],
    ['a\nb', ['a', 'b']],
    ['a\r\nb', ['a', 'b']],
    [' a , b ,, c ', ['a', 'b', 'c']],
    ['\na\n\n  \nb\n', ['a', 'b']],
    ['a tenant-id=x, b', ['a tenant-id=x', 'b']],
    ['', []],
    [' ,\n, ', []],
  ])('%j', (text, expected) => {
    expect(splitList(text)).toEqual(expected);
  });
});

describe('isUnderSuffix', () => {
  test.each([
    ['contoso.azurecr.io', 'azurecr.io', true],
    ['Contoso.AzureCR.io', 'azurecr.io', true],
    ['a.b.azurecr.io', 'azurecr.io', true],
    ['contoso.azurecr.io', '.azurecr.io', true],
    ['contoso.cr.local:5000', 'cr.local', true],
    ['azurecr.io', 'azurecr.io', false],
    ['evilazurecr.io', 'azurecr.io', false],
    ['contoso.azurecr.io.evil.com', 'azurecr.io', false],
    ['contoso.azurecr.cn', 'azurecr.io', false],
  ])('%s under %s: %s', (host, suffix, expected) => {
    expect(isUnderSuffix(host, suffix)).toBe(expected);
  });
});

describe('GUIDs and tenants', () => {
  test.each([
    [TENANT, true, true],
    [TENANT.toUpperCase(), true, true],
    ['contoso.onmicrosoft.com', false, true],
    ['contoso', false, false],
    [`{${TENANT}}`, false, false],
    ['5e7a1c2d0b4f4c3e9a617d2f8e0c4b19', false, false],
    ['', false, false],
  ])('%j: guid %s, tenant %s', (value, guid, tenant) => {
    expect(isGuid(value)).toBe(guid);
    expect(isTenantId(value)).toBe(tenant);
  });
});

describe('normaliseLoginServer', () => {
  test.each([
    ['contoso', publicCloud, 'contoso.azurecr.io'],
    ['Contoso', publicCloud, 'contoso.azurecr.io'],
    ['contoso', CLOUDS.AzureChinaCloud, 'contoso.azurecr.cn'],
    ['contoso.azurecr.io', publicCloud, 'contoso.azurecr.io'],
    ['https://Contoso.AzureCR.io/', publicCloud, 'contoso.azurecr.io'],
    ['HTTPS://contoso.azurecr.io', publicCloud, 'contoso.azurecr.io'],
    ['  contoso.azurecr.io  ', publicCloud, 'contoso.azurecr.io'],
    ['contoso.azurecr.io:443', publicCloud, 'contoso.azurecr.io'],
    ['contoso-abcdefgh.azurecr.io', publicCloud, 'contoso-abcdefgh.azurecr.io'],
    ['contoso.westeurope.geo.azurecr.io', publicCloud, 'contoso.westeurope.geo.azurecr.io'],
    ['registry.example.com', publicCloud, 'registry.example.com'],
    ['contoso', custom, 'contoso.cr.local'],
    ['contoso:5000', custom, 'contoso.cr.local:5000'],
    ['https://contoso.cr.local:8443/', custom, 'contoso.cr.local:8443'],
    ['contoso.cr.local:443', custom, 'contoso.cr.local'],
  ])('%j -> %s', (value, cloud, expected) => {
    expect(normaliseLoginServer(value, cloud)).toBe(expected);
  });

  test.each<[string, string, ErrorCode, RegExp]>([
    ['http URL', 'http://contoso.azurecr.io', 'INPUT_INVALID', /HTTPS only/],
    ['other scheme', 'oci://contoso.azurecr.io', 'REGISTRY_INVALID', /scheme "oci:\/\/"/],
    ['path', 'contoso.azurecr.io/team/app', 'REGISTRY_INVALID', /has a path.*use "contoso\.azurecr\.io"/],
    ['path after https', 'https://Contoso.azurecr.io/v2/', 'REGISTRY_INVALID', /use "contoso\.azurecr\.io"/],
    ['two trailing slashes', 'contoso.azurecr.io//', 'REGISTRY_INVALID', /has a path/],
    [
      'port in a named cloud',
      'contoso.azurecr.io:5000',
      'REGISTRY_INVALID',
      /port 5000.*"contoso\.azurecr\.io"/,
    ],
    ['name too short', 'abcd', 'REGISTRY_INVALID', /5-50 letters and digits/],
    ['name too long', 'a'.repeat(51), 'REGISTRY_INVALID', /5-50 letters and digits/],
    ['name with hyphen', 'my-registry', 'REGISTRY_INVALID', /5-50 letters and digits/],
    ['label starting with hyphen', '-contoso.azurecr.io', 'REGISTRY_INVALID', /not a valid host name/],
    ['empty label', 'contoso..azurecr.io', 'REGISTRY_INVALID', /not a valid host name/],
    ['underscore', 'con_toso.azurecr.io', 'REGISTRY_INVALID', /not a valid host name/],
    ['credentials', 'user@contoso.azurecr.io', 'REGISTRY_INVALID', /not a valid host name/],
    ['label over 63 chars', `${'a'.repeat(64)}.azurecr.io`, 'REGISTRY_INVALID', /not a valid host name/],
    [
      'data endpoint',
      'contoso.westeurope.data.azurecr.io',
      'REGISTRY_INVALID',
      /data endpoint.*"contoso\.azurecr\.io"/,
    ],
  ])('%s: %j', (_name, value, code, message) => {
    const error = catchError(() => normaliseLoginServer(value, publicCloud));
    expect(error.code).toBe(code);
    expect(error.input).toBe('registry');
    expect(error.message).toContain('"registry"');
    expect(error.message).toContain(`"${value}"`);
    expect(error.message).toMatch(message);
  });

  test('errors name the input they were given', () => {
    const error = catchError(() =>
      normaliseLoginServer('http://x.example.com', publicCloud, 'trustedRegistries'),
    );
    expect(error.input).toBe('trustedRegistries');
    expect(error.message).toContain('"trusted-registries"');
  });
});

describe('parseRegistryEntry', () => {
  test.each<[string, RegistryEntry]>([
    ['contoso', { loginServer: 'contoso.azurecr.io', overrides: {} }],
    [`contoso tenant-id=${TENANT}`, { loginServer: 'contoso.azurecr.io', overrides: { tenantId: TENANT } }],
    [
      `fabrikam.azurecr.io\ttenant-id=fabrikam.onmicrosoft.com  client-id=${CLIENT} token-audience=ARM`,
      {
        loginServer: 'fabrikam.azurecr.io',
        overrides: { tenantId: 'fabrikam.onmicrosoft.com', clientId: CLIENT, tokenAudience: 'arm' },
      },
    ],
    [`contoso Client-ID=${CLIENT}`, { loginServer: 'contoso.azurecr.io', overrides: { clientId: CLIENT } }],
  ])('%j', (entry, expected) => {
    expect(parseRegistryEntry(entry, publicCloud)).toEqual(expected);
  });

  test.each([
    ['unknown key', 'contoso subscription=1', /"subscription=1" is not a setting/],
    ['no value', 'contoso tenant-id', /"tenant-id" is not a setting/],
    ['bad tenant', 'contoso tenant-id=contoso', /tenant-id "contoso" is not a tenant/],
    ['bad client', 'contoso client-id=app', /client-id "app" is not a GUID/],
    ['bad audience', 'contoso token-audience=graph', /must be "acr" or "arm"/],
    ['repeated key', `contoso client-id=${CLIENT} client-id=${CLIENT}`, /given twice/],
  ])('%s', (_name, entry, message) => {
    const error = catchError(() => parseRegistryEntry(entry, publicCloud));
    expect(error.code).toBe('REGISTRY_INVALID');
    expect(error.input).toBe('registry');
    expect(error.message).toContain('"registry"');
    expect(error.message).toMatch(message);
  });
});

describe('parseRegistries', () => {
  test('duplicates after normalisation are merged, order kept', () => {
    expect(
      parseRegistries(
        'contoso\nhttps://CONTOSO.azurecr.io/, fabrikam.azurecr.io\n\ncontoso.azurecr.io:443',
        publicCloud,
      ),
    ).toEqual([
      { loginServer: 'contoso.azurecr.io', overrides: {} },
      { loginServer: 'fabrikam.azurecr.io', overrides: {} },
    ]);
  });

  test('duplicates with equal overrides are merged', () => {
    expect(
      parseRegistries(`contoso token-audience=acr\ncontoso.azurecr.io`, publicCloud).map(
        (e) => e.loginServer,
      ),
    ).toEqual(['contoso.azurecr.io']);
  });

  test.each<[string, string, ErrorCode]>([
    ['empty', '', 'INPUT_REQUIRED'],
    ['only blank lines', '\n \n', 'INPUT_REQUIRED'],
    ['same server, different tenants', `contoso tenant-id=${TENANT}\ncontoso.azurecr.io`, 'INPUT_CONFLICT'],
  ])('%s', (_name, text, code) => {
    const error = catchError(() => parseRegistries(text, publicCloud));
    expect(error.code).toBe(code);
    expect(error.input).toBe('registry');
    expect(error.message).toContain('"registry"');
  });
});
