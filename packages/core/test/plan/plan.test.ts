import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ErrorCode } from '../../src/errors.ts';
import { checkCertificatePem } from '../../src/identity/certificate.ts';
import type { Identity } from '../../src/identity/kinds/index.ts';
import { identityKey } from '../../src/identity/kinds/index.ts';
import { ACR_SCOPE, entraScope } from '../../src/identity/scope.ts';
import { type PlanFacts, parseAuthType } from '../../src/plan/auto.ts';
import { parseCreds } from '../../src/plan/creds.ts';
import type { LoginPlan } from '../../src/plan/login-plan.ts';
import { planLogin } from '../../src/plan/plan.ts';
import { parseClients } from '../../src/plan/values.ts';
import type { AuthType, InputKey, LoginInputs } from '../../src/types.ts';
import { plainWords, render } from '../../src/wording.ts';
import { catchError } from '../support.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const CERT = fixture('cert.pem');
const KEY = fixture('key.pem');
const PEM = `${CERT}${KEY}`;
const PEM_ENCRYPTED = `${CERT}${fixture('key-encrypted.pem')}`;

const TENANT = '5e7a1c2d-0b4f-4c3e-9a61-7d2f8e0c4b19';
const TENANT2 = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const CLIENT2 = '99999999-8888-7777-6666-555555555555';
const CONNECTION = '12345678-1234-1234-1234-123456789abc';
const SECRET = 'sp~Secret.Value_0123456789';
const PASSWORD = 'registry-Password-0123456789';
const CERT_PASSWORD = 'cert-Password-0123456789';
const SYSTEM_TOKEN = 'system-Access-Token-0123456789';
const CREDS_SECRET = 'creds~Secret.Value_0123456789';
const sdkAuth = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    clientId: CLIENT,
    clientSecret: CREDS_SECRET,
    tenantId: TENANT,
    subscriptionId: TENANT2,
    ...extra,
  });
const SECRETS = [SECRET, PASSWORD, CERT_PASSWORD, SYSTEM_TOKEN, CREDS_SECRET, KEY.split('\n')[1] ?? KEY];

const oidcFacts: PlanFacts = { oidcAvailable: true, env: {} };
const noOidc: PlanFacts = {
  oidcAvailable: false,
  oidcUnavailableHint: 'Add "permissions: id-token: write" to the job.',
  env: {},
};
const workloadEnv: PlanFacts = {
  oidcAvailable: false,
  env: {
    AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token',
    AZURE_CLIENT_ID: CLIENT,
    AZURE_TENANT_ID: TENANT,
  },
};

const plan = (inputs: Partial<LoginInputs>, facts: PlanFacts = noOidc): LoginPlan =>
  planLogin({ registry: 'contoso', ...inputs }, facts);

const identityOf = (p: LoginPlan, index = 0): Identity => {
  const auth = p.registries[index]?.auth;
  if (auth?.type !== 'entra') throw new Error(`registry ${index} has no Entra identity`);
  return auth.identity;
};

describe('auth-type auto', () => {
  test.each<[string, Partial<LoginInputs>, PlanFacts, AuthType, RegExp]>([
    [
      'username and password',
      { username: 'puller', password: PASSWORD },
      oidcFacts,
      'username-password',
      /"username" and "password" are set/,
    ],
    [
      'username wins over a client secret being absent and OIDC being available',
      { username: 'puller', password: PASSWORD, environment: 'AzureCloud' },
      oidcFacts,
      'username-password',
      /chose username-password/,
    ],
    [
      'client secret',
      { clientId: CLIENT, tenantId: TENANT, clientSecret: SECRET },
      oidcFacts,
      'service-principal',
      /"client-secret" is set/,
    ],
    [
      'client certificate',
      { clientId: CLIENT, tenantId: TENANT, clientCertificate: PEM },
      oidcFacts,
      'service-principal',
      /"client-certificate" is set/,
    ],
    ['creds', { creds: sdkAuth() }, oidcFacts, 'service-principal', /"creds" is set/],
    [
      'service connection',
      {
        clientId: CLIENT,
        tenantId: TENANT,
        serviceConnectionId: CONNECTION,
        systemAccessToken: SYSTEM_TOKEN,
      },
      oidcFacts,
      'azure-pipelines',
      /"service-connection-id" is set/,
    ],
    [
      'client and tenant with OIDC available',
      { clientId: CLIENT, tenantId: TENANT },
      oidcFacts,
      'oidc',
      /OIDC token is available/,
    ],
    [
      'client and tenant with a federated token file',
      { clientId: CLIENT, tenantId: TENANT },
      workloadEnv,
      'workload-identity',
      /AZURE_FEDERATED_TOKEN_FILE is set/,
    ],
    ['federated token file alone', {}, workloadEnv, 'workload-identity', /AZURE_FEDERATED_TOKEN_FILE/],
    ['nothing', {}, noOidc, 'managed-identity', /managed-identity/],
    ['OIDC available but no client', {}, oidcFacts, 'managed-identity', /managed-identity/],
    [
      'client id only: user-assigned identity',
      { clientId: CLIENT },
      noOidc,
      'managed-identity',
      /"client-id" is set without "tenant-id", which selects a user-assigned managed identity/,
    ],
    [
      'client id only, even with OIDC available: user-assigned identity',
      { clientId: CLIENT },
      oidcFacts,
      'managed-identity',
      /user-assigned managed identity/,
    ],
    ['explicit auto', { authType: ' Auto ' }, noOidc, 'managed-identity', /chose managed-identity/],
  ])('%s', (_name, inputs, facts, authType, reason) => {
    const p = plan(inputs, facts);
    expect(p.authType).toBe(authType);
    const said = render(p.reason, plainWords);
    expect(said).toMatch(reason);
    expect(said.split('. ').length).toBe(1);
  });

  test('only the fallback to the machine, with nothing given, is flagged for a notice', () => {
    expect(plan({}, noOidc).machineByDefault).toBe(true);
    expect(plan({ clientId: CLIENT }, noOidc).machineByDefault).toBeUndefined();
    expect(plan({ authType: 'managed-identity' }, noOidc).machineByDefault).toBeUndefined();
    expect(plan({ clientId: CLIENT, tenantId: TENANT }, oidcFacts).machineByDefault).toBeUndefined();
  });
});

describe('auth-type auto in a run that must not log in as the machine (a fork, Dependabot)', () => {
  const WHY = 'This run is a pull request from a fork: GitHub passes it neither secrets nor an OIDC token.';
  const untrusted = (facts: PlanFacts): PlanFacts => ({ ...facts, untrustedRun: WHY });

  test.each<[string, Partial<LoginInputs>, PlanFacts]>([
    ['nothing given', {}, noOidc],
    ['OIDC available but no client', {}, oidcFacts],
    ['client id only: a user-assigned identity of the machine', { clientId: CLIENT }, noOidc],
    [
      'a resource id only',
      { managedIdentityResourceId: '/subscriptions/x/resourceGroups/y/providers/z/id' },
      noOidc,
    ],
    ['a secret that arrived empty', { clientId: CLIENT, clientSecret: '' }, noOidc],
  ])('refused: %s', (_name, inputs, facts) => {
    const error = catchError(() => plan(inputs, untrusted(facts)));
    expect(error).toMatchObject({ code: 'INPUT_REQUIRED', input: 'authType' });
    const { message } = error;
    expect(message).toContain(WHY);
    expect(message).toContain("does not log in as this machine's managed identity");
    expect(message).toContain('set "auth-type: managed-identity" explicitly');
  });

  test.each<[string, Partial<LoginInputs>, PlanFacts, AuthType]>([
    ['managed identity asked for by name', { authType: 'managed-identity' }, noOidc, 'managed-identity'],
    ['OIDC', { clientId: CLIENT, tenantId: TENANT }, oidcFacts, 'oidc'],
    [
      'a client secret',
      { clientId: CLIENT, tenantId: TENANT, clientSecret: SECRET },
      noOidc,
      'service-principal',
    ],
    ['username and password', { username: 'puller', password: PASSWORD }, noOidc, 'username-password'],
    ['a federated token file', {}, workloadEnv, 'workload-identity'],
  ])('allowed: %s', (_name, inputs, facts, authType) => {
    expect(plan(inputs, untrusted(facts)).authType).toBe(authType);
  });
});

describe('auth-type auto never picks a kind it cannot know is meant', () => {
  test('auto never chooses azure-cli or anonymous', () => {
    const chosen = new Set(
      [{}, { clientId: CLIENT }, { username: 'u', password: PASSWORD }, { creds: sdkAuth() }].map(
        (inputs) => plan(inputs, oidcFacts).authType,
      ),
    );
    expect(chosen.has('azure-cli')).toBe(false);
    expect(chosen.has('anonymous')).toBe(false);
  });
});

describe('parseAuthType', () => {
  test.each([
    [undefined, 'auto'],
    ['', 'auto'],
    ['AUTO', 'auto'],
    ['oidc', 'oidc'],
    ['OIDC', 'oidc'],
    [' service-principal ', 'service-principal'],
    ['servicePrincipal', 'service-principal'],
    ['ServicePrincipal', 'service-principal'],
    ['service_principal', 'service-principal'],
    ['managedIdentity', 'managed-identity'],
    ['workloadIdentity', 'workload-identity'],
    ['azureCli', 'azure-cli'],
    ['AzureCLI', 'azure-cli'],
    ['azurePipelines', 'azure-pipelines'],
    ['usernamePassword', 'username-password'],
    ['Anonymous', 'anonymous'],
  ])('%j -> %s', (value, expected) => {
    expect(parseAuthType(value)).toBe(expected);
  });
});

describe('explicit auth types build their identity', () => {
  test.each<[string, Partial<LoginInputs>, PlanFacts, Identity]>([
    [
      'oidc with the cloud audience',
      { authType: 'oidc', clientId: CLIENT, tenantId: TENANT, environment: 'AzureChinaCloud' },
      oidcFacts,
      { type: 'oidc', clientId: CLIENT, tenantId: TENANT, audience: 'api://AzureADTokenExchangeChina' },
    ],
    [
      'oidc with an audience',
      { authType: 'oidc', clientId: CLIENT, tenantId: 'contoso.onmicrosoft.com', audience: 'api://custom' },
      oidcFacts,
      { type: 'oidc', clientId: CLIENT, tenantId: 'contoso.onmicrosoft.com', audience: 'api://custom' },
    ],
    [
      'azure-pipelines',
      {
        authType: 'azure-pipelines',
        clientId: CLIENT,
        tenantId: TENANT,
        serviceConnectionId: CONNECTION,
        systemAccessToken: SYSTEM_TOKEN,
      },
      noOidc,
      {
        type: 'azure-pipelines',
        clientId: CLIENT,
        tenantId: TENANT,
        serviceConnectionId: CONNECTION,
        systemAccessToken: SYSTEM_TOKEN,
      },
    ],
    [
      'service principal with a secret',
      { authType: 'service-principal', clientId: CLIENT, tenantId: TENANT, clientSecret: SECRET },
      noOidc,
      { type: 'service-principal', clientId: CLIENT, tenantId: TENANT, secret: SECRET },
    ],
    [
      'service principal with PEM text',
      { authType: 'servicePrincipal', clientId: CLIENT, tenantId: TENANT, clientCertificate: PEM },
      noOidc,
      {
        type: 'service-principal',
        clientId: CLIENT,
        tenantId: TENANT,
        certificate: { kind: 'pem', pem: PEM.trim() },
      },
    ],
    [
      'service principal with an encrypted key and its password',
      {
        clientId: CLIENT,
        tenantId: TENANT,
        clientCertificate: PEM_ENCRYPTED,
        clientCertificatePassword: CERT_PASSWORD,
      },
      noOidc,
      {
        type: 'service-principal',
        clientId: CLIENT,
        tenantId: TENANT,
        certificate: { kind: 'pem', pem: PEM_ENCRYPTED.trim() },
        certificatePassword: CERT_PASSWORD,
      },
    ],
    [
      'service principal with a certificate path (read later)',
      { clientId: CLIENT, tenantId: TENANT, clientCertificate: ' /secrets/sp.pem ' },
      noOidc,
      {
        type: 'service-principal',
        clientId: CLIENT,
        tenantId: TENANT,
        certificate: { kind: 'path', path: '/secrets/sp.pem' },
      },
    ],
    [
      'service principal from --sdk-auth creds',
      { creds: sdkAuth() },
      noOidc,
      { type: 'service-principal', clientId: CLIENT, tenantId: TENANT, secret: CREDS_SECRET },
    ],
    [
      'service principal from create-for-rbac creds',
      { creds: JSON.stringify({ appId: CLIENT, password: CREDS_SECRET, tenant: TENANT, displayName: 'x' }) },
      noOidc,
      { type: 'service-principal', clientId: CLIENT, tenantId: TENANT, secret: CREDS_SECRET },
    ],
    [
      'creds with the same client and tenant given again',
      { creds: sdkAuth(), clientId: CLIENT.toUpperCase(), tenantId: TENANT },
      noOidc,
      { type: 'service-principal', clientId: CLIENT, tenantId: TENANT, secret: CREDS_SECRET },
    ],
    [
      'system-assigned managed identity',
      { authType: 'managed-identity' },
      noOidc,
      { type: 'managed-identity' },
    ],
    [
      'user-assigned managed identity by client id, with tenant',
      { authType: 'managed-identity', clientId: CLIENT, tenantId: TENANT },
      noOidc,
      { type: 'managed-identity', clientId: CLIENT, tenantId: TENANT },
    ],
    [
      'user-assigned managed identity by resource id',
      {
        authType: 'managed-identity',
        managedIdentityResourceId:
          '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ci',
      },
      noOidc,
      {
        type: 'managed-identity',
        resourceId:
          '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ci',
      },
    ],
    [
      'workload identity from the environment',
      { authType: 'workload-identity' },
      workloadEnv,
      {
        type: 'workload-identity',
        clientId: CLIENT,
        tenantId: TENANT,
        tokenFile: '/var/run/secrets/azure/tokens/azure-identity-token',
      },
    ],
    [
      'workload identity: inputs win over the environment',
      { authType: 'workload-identity', clientId: CLIENT2, tenantId: TENANT2 },
      workloadEnv,
      {
        type: 'workload-identity',
        clientId: CLIENT2,
        tenantId: TENANT2,
        tokenFile: '/var/run/secrets/azure/tokens/azure-identity-token',
      },
    ],
    ['azure cli', { authType: 'azure-cli' }, noOidc, { type: 'azure-cli' }],
    [
      'azure cli with a tenant',
      { authType: 'AzureCLI', tenantId: TENANT },
      noOidc,
      { type: 'azure-cli', tenantId: TENANT },
    ],
  ])('%s', (_name, inputs, facts, expected) => {
    const identity = identityOf(plan(inputs, facts));
    expect(identity).toEqual(expected);
    expect(identityKey(identity)).not.toBe('');
  });

  test('username-password', () => {
    const p = plan({ authType: 'username-password', username: 'puller', password: PASSWORD });
    expect(p.registries[0]?.auth).toEqual({
      type: 'username-password',
      username: 'puller',
      password: PASSWORD,
    });
  });

  test('anonymous', () => {
    const p = plan({ authType: 'anonymous', registry: 'contoso, fabrikam' });
    expect(p.registries.map((r) => r.auth)).toEqual([{ type: 'anonymous' }, { type: 'anonymous' }]);
  });
});

describe('cloud', () => {
  test.each([
    ['https://login.chinacloudapi.cn/', 'AzureChinaCloud', 'contoso.azurecr.cn'],
    ['https://login.microsoftonline.us', 'AzureUSGovernment', 'contoso.azurecr.us'],
    ['https://login.microsoftonline.com/', 'AzureCloud', 'contoso.azurecr.io'],
    ['https://adfs.local/adfs', 'AzureCloud', 'contoso.azurecr.io'],
  ])('creds naming %s with no environment pick %s', (authority, cloud, loginServer) => {
    const p = plan({ creds: sdkAuth({ activeDirectoryEndpointUrl: authority }) });
    expect(p.cloud.name).toBe(cloud);
    expect(p.registries[0]?.loginServer).toBe(loginServer);
  });

  test('environment agreeing with creds is fine', () => {
    const p = plan({
      environment: 'azurechinacloud',
      creds: sdkAuth({ activeDirectoryEndpointUrl: 'https://login.chinacloudapi.cn' }),
    });
    expect(p.cloud.name).toBe('AzureChinaCloud');
  });

  test('custom cloud expands names with its suffix', () => {
    const p = plan(
      {
        environment: 'custom',
        authorityHost: 'https://login.local/',
        registrySuffix: 'cr.local',
        clientId: CLIENT,
        tenantId: TENANT,
      },
      oidcFacts,
    );
    expect(p.cloud).toMatchObject({
      name: 'custom',
      authorityHost: 'https://login.local',
      disableInstanceDiscovery: true,
    });
    expect(p.registries[0]).toMatchObject({
      loginServer: 'contoso.cr.local',
    });
  });
});

describe('token audience and scope', () => {
  test.each([
    [undefined, 'AzureCloud', ACR_SCOPE],
    ['acr', 'AzureCloud', ACR_SCOPE],
    ['ARM', 'AzureCloud', 'https://management.azure.com/.default'],
    ['arm', 'AzureChinaCloud', 'https://management.chinacloudapi.cn/.default'],
    ['arm', 'AzureUSGovernment', 'https://management.usgovcloudapi.net/.default'],
  ])('%j in %s -> %s', (tokenAudience, environment, scope) => {
    const p = plan(
      {
        clientId: CLIENT,
        tenantId: TENANT,
        environment,
        ...(tokenAudience === undefined ? {} : { tokenAudience }),
      },
      oidcFacts,
    );
    const auth = p.registries[0]?.auth;
    expect(auth?.type === 'entra' ? entraScope(auth.audience, p.cloud) : undefined).toBe(scope);
  });

  test('a per-registry token-audience overrides the input', () => {
    const p = plan({ registry: 'contoso token-audience=arm\nfabrikam', tokenAudience: 'acr' }, noOidc);
    expect(
      p.registries.map((r) => (r.auth.type === 'entra' ? entraScope(r.auth.audience, p.cloud) : '')),
    ).toEqual(['https://management.azure.com/.default', ACR_SCOPE]);
  });
});

describe('identity keys', () => {
  const keys = (p: LoginPlan) => p.registries.map((_, i) => identityKey(identityOf(p, i)));

  test('registries sharing an identity share a key', () => {
    const [a, b] = keys(
      plan({ registry: 'contoso, fabrikam', clientId: CLIENT, tenantId: TENANT }, oidcFacts),
    );
    expect(a).toBe(b);
  });

  test('a per-registry tenant and client give their own identity', () => {
    const p = plan(
      {
        registry: `contoso\nfabrikam tenant-id=${TENANT2}\nnorthwind client-id=${CLIENT2}\nadatum tenant-id=${TENANT2}`,
        clientId: CLIENT,
        tenantId: TENANT,
      },
      oidcFacts,
    );
    const [contoso, fabrikam, northwind, adatum] = keys(p);
    expect(new Set([contoso, fabrikam, northwind]).size).toBe(3);
    expect(adatum).toBe(fabrikam);
    expect(identityOf(p, 1)).toMatchObject({ tenantId: TENANT2, clientId: CLIENT });
    expect(identityOf(p, 2)).toMatchObject({ tenantId: TENANT, clientId: CLIENT2 });
  });

  test('keys ignore the case of GUIDs and never contain secrets', () => {
    const upper = keys(plan({ clientId: CLIENT.toUpperCase(), tenantId: TENANT, clientSecret: SECRET }));
    const lower = keys(plan({ clientId: CLIENT, tenantId: TENANT.toUpperCase(), clientSecret: SECRET }));
    expect(upper).toEqual(lower);
    expect(upper[0]).not.toContain(SECRET);
  });

  test('different auth types never share a key', () => {
    const oidc = keys(plan({ clientId: CLIENT, tenantId: TENANT }, oidcFacts))[0];
    const sp = keys(plan({ clientId: CLIENT, tenantId: TENANT, clientSecret: SECRET }))[0];
    const mi = keys(plan({ authType: 'managed-identity', clientId: CLIENT, tenantId: TENANT }))[0];
    expect(new Set([oidc, sp, mi]).size).toBe(3);
  });
});

describe('registries and trust', () => {
  test('registries are normalised and merged', () => {
    const p = plan({ registry: 'contoso\n\nhttps://CONTOSO.azurecr.io/, fabrikam.azurecr.io' }, noOidc);
    expect(p.registries.map((r) => r.loginServer)).toEqual(['contoso.azurecr.io', 'fabrikam.azurecr.io']);
  });

  test('a trusted registry outside the suffix gets an Entra token', () => {
    const p = plan({
      registry: 'registry.contoso.com',
      trustedRegistries: 'https://Registry.Contoso.com/\nother.example.org',
    });
    expect(p.registries[0]?.loginServer).toBe('registry.contoso.com');
  });

  test.each([
    [
      'token-audience arm',
      { tokenAudience: 'arm' },
      'tokenAudience',
      /"token-audience" is arm, but "registry.contoso.com"/,
    ],
    [
      'token-audience=arm on the registry entry',
      { registry: 'registry.contoso.com token-audience=arm' },
      'registry',
      /"registry" gives "registry.contoso.com" token-audience=arm/,
    ],
  ])('a trusted registry outside the suffix never gets an ARM token: %s', (_name, inputs, key, said) => {
    const error = catchError(() =>
      plan({ registry: 'registry.contoso.com', trustedRegistries: 'registry.contoso.com', ...inputs }),
    );
    expect(error).toMatchObject({ code: 'INPUT_CONFLICT', input: key });
    expect(error.message).toMatch(said);
    expect(error.message).toContain('"trusted-registries"');
    expect(error.message).toContain('Set "token-audience" to acr');
  });

  test('ARM tokens still go to registries under the suffix, beside a trusted one on acr', () => {
    const p = plan({
      registry: 'contoso token-audience=arm\nregistry.contoso.com token-audience=acr',
      trustedRegistries: 'registry.contoso.com',
      tokenAudience: 'arm',
    });
    const audiences = p.registries.map((r) => (r.auth.type === 'entra' ? r.auth.audience : undefined));
    expect(audiences).toEqual(['arm', 'acr']);
  });

  test.each(['username-password', 'anonymous'])('%s needs no trust', (authType) => {
    const p = plan({
      authType,
      registry: 'registry.example.com',
      ...(authType === 'anonymous' ? {} : { username: 'u', password: PASSWORD }),
    });
    expect(p.registries[0]?.loginServer).toBe('registry.example.com');
  });
});

describe('clients', () => {
  test.each([
    [undefined, ['docker']],
    ['', ['docker']],
    ['Docker', ['docker']],
    ['podman, helm', ['podman', 'helm']],
    ['oras\ndocker\n', ['oras', 'docker']],
    ['all', ['docker', 'podman', 'helm', 'oras']],
    ['helm, all, helm', ['helm', 'docker', 'podman', 'oras']],
  ])('%j', (value, expected) => {
    expect(parseClients(value)).toEqual(expected);
    expect(plan({ ...(value === undefined ? {} : { clients: value }) }).clients).toEqual(expected);
  });
});

describe('secrets', () => {
  test.each<[string, Partial<LoginInputs>, PlanFacts, string[]]>([
    ['client secret', { clientId: CLIENT, tenantId: TENANT, clientSecret: ` ${SECRET}\n` }, noOidc, [SECRET]],
    [
      'certificate text and its password',
      {
        clientId: CLIENT,
        tenantId: TENANT,
        clientCertificate: PEM_ENCRYPTED,
        clientCertificatePassword: CERT_PASSWORD,
      },
      noOidc,
      [CERT_PASSWORD, PEM_ENCRYPTED.trim()],
    ],
    [
      'a certificate path is not a secret',
      { clientId: CLIENT, tenantId: TENANT, clientCertificate: '/s/sp.pem' },
      noOidc,
      [],
    ],
    ['creds and the secret inside', { creds: sdkAuth() }, noOidc, [sdkAuth(), CREDS_SECRET]],
    ['password', { username: 'u', password: PASSWORD }, noOidc, [PASSWORD]],
    [
      'system access token',
      {
        clientId: CLIENT,
        tenantId: TENANT,
        serviceConnectionId: CONNECTION,
        systemAccessToken: SYSTEM_TOKEN,
      },
      noOidc,
      [SYSTEM_TOKEN],
    ],
    [
      'system access token passed with another auth type is still masked',
      { clientId: CLIENT, tenantId: TENANT, systemAccessToken: SYSTEM_TOKEN },
      oidcFacts,
      [SYSTEM_TOKEN],
    ],
    [
      'deduplicated',
      { username: 'u', password: SECRET, systemAccessToken: SECRET, authType: 'username-password' },
      noOidc,
      [SECRET],
    ],
    ['none', { clientId: CLIENT, tenantId: TENANT }, oidcFacts, []],
  ])('%s', (_name, inputs, facts, expected) => {
    expect([...plan(inputs, facts).secrets].sort()).toEqual([...expected].sort());
  });
});

describe('checkCertificatePem', () => {
  test.each([
    ['certificate then key', PEM, false],
    ['key then certificate', `${KEY}${CERT}`, false],
    ['EC key', `${CERT}${fixture('key-ec.pem')}`, false],
    ['PKCS#8 encrypted key', PEM_ENCRYPTED, true],
    ['legacy encrypted RSA key', `${CERT}${fixture('key-rsa-legacy-encrypted.pem')}`, true],
    ['CRLF line ends', PEM.replaceAll('\n', '\r\n'), false],
  ])('%s', (_name, pem, encrypted) => {
    expect(checkCertificatePem(pem)).toEqual({ encrypted });
  });

  test.each([
    ['only a key', KEY, /no complete CERTIFICATE block\./],
    ['only a certificate', CERT, /no complete PRIVATE KEY block\./],
    [
      'neither',
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      /CERTIFICATE block and no PRIVATE KEY/,
    ],
    ['truncated key', `${CERT}${KEY.slice(0, 80)}`, /no complete PRIVATE KEY block/],
    ['mismatched key labels', `${CERT}${KEY.replace('END PRIVATE', 'END RSA PRIVATE')}`, /PRIVATE KEY block/],
  ])('%s', (_name, pem, message) => {
    const error = catchError(() => checkCertificatePem(pem));
    expect(error.code).toBe('CERTIFICATE_INVALID');
    expect(error.input).toBe('clientCertificate');
    expect(error.message).toMatch(message);
    expect(error.message).toContain('cat cert.pem key.pem');
    expect(error.message).not.toContain(KEY.split('\n')[1]);
  });
});

describe('parseCreds', () => {
  test('keeps the sovereign authority for cloud selection', () => {
    expect(parseCreds(sdkAuth({ activeDirectoryEndpointUrl: 'https://login.microsoftonline.us' }))).toEqual({
      clientId: CLIENT,
      clientSecret: CREDS_SECRET,
      tenantId: TENANT,
      authorityHost: 'https://login.microsoftonline.us',
    });
  });
});

/**
 * Bad inputs: each names its input in quotes, has a stable code, and never shows a secret. Every case
 * carries secret-looking values where it can, so a message that echoed one would fail.
 */
describe('bad inputs', () => {
  const sp = { clientId: CLIENT, tenantId: TENANT };
  test.each<[string, Partial<LoginInputs>, PlanFacts, ErrorCode, string]>([
    ['empty registry', { registry: ' \n, ' }, oidcFacts, 'INPUT_REQUIRED', 'registry'],
    ['malformed host', { registry: 'contoso..azurecr.io' }, oidcFacts, 'REGISTRY_INVALID', 'registry'],
    ['short registry name', { registry: 'abc' }, oidcFacts, 'REGISTRY_INVALID', 'registry'],
    [
      'http URL',
      { registry: 'http://contoso.azurecr.io', ...sp, clientSecret: SECRET },
      noOidc,
      'INPUT_INVALID',
      'registry',
    ],
    [
      'non-ACR host',
      { registry: 'ghcr.io', ...sp, clientSecret: SECRET },
      noOidc,
      'REGISTRY_UNTRUSTED',
      'registry',
    ],
    [
      'look-alike host',
      { registry: 'contoso.evilazurecr.io', ...sp },
      oidcFacts,
      'REGISTRY_UNTRUSTED',
      'registry',
    ],
    [
      'registry of another cloud',
      { registry: 'contoso.azurecr.cn', ...sp },
      oidcFacts,
      'REGISTRY_UNTRUSTED',
      'registry',
    ],
    [
      'data endpoint',
      { registry: 'contoso.westeurope.data.azurecr.io' },
      oidcFacts,
      'REGISTRY_INVALID',
      'registry',
    ],
    ['path in host', { registry: 'contoso.azurecr.io/team/app' }, oidcFacts, 'REGISTRY_INVALID', 'registry'],
    [
      'port in a named cloud',
      { registry: 'contoso.azurecr.io:5000' },
      oidcFacts,
      'REGISTRY_INVALID',
      'registry',
    ],
    [
      'bad trusted registry',
      { trustedRegistries: 'http://r.example.com' },
      oidcFacts,
      'INPUT_INVALID',
      'trustedRegistries',
    ],
    [
      'unknown cloud',
      { environment: 'AzureGermanCloud', ...sp, clientSecret: SECRET },
      noOidc,
      'CLOUD_UNKNOWN',
      'environment',
    ],
    [
      'custom cloud missing suffix',
      { environment: 'custom', authorityHost: 'https://l.local' },
      oidcFacts,
      'INPUT_REQUIRED',
      'registrySuffix',
    ],
    [
      'custom cloud with http authority',
      { environment: 'custom', authorityHost: 'http://l.local', registrySuffix: 'cr.local' },
      oidcFacts,
      'INPUT_INVALID',
      'authorityHost',
    ],
    [
      'suffix override for a named cloud',
      { registrySuffix: 'example.com' },
      oidcFacts,
      'INPUT_CONFLICT',
      'registrySuffix',
    ],
    [
      'ARM audience in a custom cloud',
      {
        environment: 'custom',
        authorityHost: 'https://l.local',
        registrySuffix: 'cr.local',
        tokenAudience: 'arm',
        ...sp,
      },
      oidcFacts,
      'INPUT_CONFLICT',
      'tokenAudience',
    ],
    ['bad token audience', { tokenAudience: 'graph', ...sp }, oidcFacts, 'INPUT_INVALID', 'tokenAudience'],
    [
      'bad client id GUID',
      { clientId: 'my-app', tenantId: TENANT, clientSecret: SECRET },
      noOidc,
      'INPUT_INVALID',
      'clientId',
    ],
    [
      'bad tenant id',
      { clientId: CLIENT, tenantId: 'contoso', clientSecret: SECRET },
      noOidc,
      'INPUT_INVALID',
      'tenantId',
    ],
    [
      'bad AZURE_CLIENT_ID',
      { authType: 'workload-identity' },
      { ...workloadEnv, env: { ...workloadEnv.env, AZURE_CLIENT_ID: 'nope' } },
      'INPUT_INVALID',
      'AZURE_CLIENT_ID',
    ],
    [
      'bad service connection id',
      { ...sp, serviceConnectionId: 'my-connection', systemAccessToken: SYSTEM_TOKEN },
      noOidc,
      'INPUT_INVALID',
      'serviceConnectionId',
    ],
    [
      'bad managed identity resource id',
      { authType: 'managed-identity', managedIdentityResourceId: 'ci-identity' },
      noOidc,
      'INPUT_INVALID',
      'managedIdentityResourceId',
    ],
    [
      'client secret with oidc',
      { authType: 'oidc', ...sp, clientSecret: SECRET },
      oidcFacts,
      'INPUT_CONFLICT',
      'clientSecret',
    ],
    [
      'client secret and certificate together',
      { ...sp, clientSecret: SECRET, clientCertificate: PEM },
      noOidc,
      'INPUT_CONFLICT',
      'clientSecret',
    ],
    [
      'creds and client secret',
      { creds: sdkAuth(), clientSecret: SECRET },
      noOidc,
      'INPUT_CONFLICT',
      'creds',
    ],
    [
      'creds with a different client id',
      { creds: sdkAuth(), clientId: CLIENT2 },
      noOidc,
      'INPUT_CONFLICT',
      'clientId',
    ],
    [
      'creds with a different tenant id',
      { creds: sdkAuth(), tenantId: TENANT2 },
      noOidc,
      'INPUT_CONFLICT',
      'tenantId',
    ],
    [
      'creds naming another cloud than environment',
      {
        creds: sdkAuth({ activeDirectoryEndpointUrl: 'https://login.chinacloudapi.cn' }),
        environment: 'AzureCloud',
      },
      noOidc,
      'INPUT_CONFLICT',
      'environment',
    ],
    ['username without password', { username: 'puller' }, oidcFacts, 'INPUT_REQUIRED', 'password'],
    ['password without username', { password: PASSWORD }, oidcFacts, 'INPUT_REQUIRED', 'username'],
    [
      'password with managed identity',
      { authType: 'managed-identity', password: PASSWORD },
      noOidc,
      'INPUT_CONFLICT',
      'password',
    ],
    [
      'username and client secret under auto',
      { username: 'u', password: PASSWORD, ...sp, clientSecret: SECRET },
      noOidc,
      'INPUT_CONFLICT',
      'clientId',
    ],
    [
      'resource id with client id',
      {
        authType: 'managed-identity',
        clientId: CLIENT,
        managedIdentityResourceId:
          '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ci',
      },
      noOidc,
      'INPUT_CONFLICT',
      'managedIdentityResourceId',
    ],
    [
      'certificate password without certificate',
      { ...sp, clientSecret: SECRET, clientCertificatePassword: CERT_PASSWORD },
      noOidc,
      'INPUT_CONFLICT',
      'clientCertificatePassword',
    ],
    [
      'audience with a service principal',
      { ...sp, clientSecret: SECRET, audience: 'api://x' },
      noOidc,
      'INPUT_CONFLICT',
      'audience',
    ],
    [
      'client id with azure cli',
      { authType: 'azure-cli', clientId: CLIENT },
      noOidc,
      'INPUT_CONFLICT',
      'clientId',
    ],
    [
      'client secret with anonymous',
      { authType: 'anonymous', clientSecret: SECRET },
      noOidc,
      'INPUT_CONFLICT',
      'clientSecret',
    ],
    ['bad creds JSON', { creds: `{clientSecret: ${CREDS_SECRET}}` }, noOidc, 'CREDS_INVALID', 'creds'],
    [
      'creds JSON of the wrong shape',
      { creds: JSON.stringify([CREDS_SECRET]) },
      noOidc,
      'CREDS_INVALID',
      'creds',
    ],
    [
      'creds missing fields',
      { creds: JSON.stringify({ clientSecret: CREDS_SECRET }) },
      noOidc,
      'CREDS_INVALID',
      'creds',
    ],
    [
      'creds with a non-GUID client',
      { creds: sdkAuth({ clientId: 'app' }) },
      noOidc,
      'CREDS_INVALID',
      'creds',
    ],
    ['bad PEM', { ...sp, clientCertificate: KEY }, noOidc, 'CERTIFICATE_INVALID', 'clientCertificate'],
    [
      'certificate that is neither PEM nor a path',
      { ...sp, clientCertificate: `MIIJ${'A'.repeat(2000)}` },
      noOidc,
      'CERTIFICATE_INVALID',
      'clientCertificate',
    ],
    [
      'encrypted key without password',
      { ...sp, clientCertificate: PEM_ENCRYPTED },
      noOidc,
      'INPUT_REQUIRED',
      'clientCertificatePassword',
    ],
    ['unknown auth type', { authType: 'kerberos' }, oidcFacts, 'INPUT_INVALID', 'authType'],
    ['unknown client', { clients: 'docker, nerdctl' }, oidcFacts, 'INPUT_INVALID', 'clients'],
    ['oidc without availability', { authType: 'oidc', ...sp }, noOidc, 'OIDC_UNAVAILABLE', 'authType'],
    ['auto with client and tenant but no OIDC', { ...sp }, noOidc, 'OIDC_UNAVAILABLE', 'authType'],
    ['oidc missing tenant', { authType: 'oidc', clientId: CLIENT }, oidcFacts, 'INPUT_REQUIRED', 'tenantId'],
    [
      'service principal missing everything',
      { authType: 'service-principal' },
      noOidc,
      'INPUT_REQUIRED',
      'clientId',
    ],
    [
      'service principal without secret',
      { authType: 'service-principal', ...sp },
      noOidc,
      'INPUT_REQUIRED',
      'clientSecret',
    ],
    [
      'azure pipelines without token',
      { ...sp, serviceConnectionId: CONNECTION },
      noOidc,
      'INPUT_REQUIRED',
      'systemAccessToken',
    ],
    [
      'workload identity without token file',
      { authType: 'workload-identity', ...sp },
      noOidc,
      'INPUT_REQUIRED',
      'AZURE_FEDERATED_TOKEN_FILE',
    ],
    [
      'per-registry client id with a service principal',
      { registry: `contoso client-id=${CLIENT2}`, ...sp, clientSecret: SECRET },
      noOidc,
      'INPUT_CONFLICT',
      'registry',
    ],
    [
      'per-registry tenant with username-password',
      { registry: `contoso tenant-id=${TENANT}`, username: 'u', password: PASSWORD },
      noOidc,
      'INPUT_CONFLICT',
      'registry',
    ],
    [
      'unknown per-registry setting',
      { registry: 'contoso scope=pull' },
      oidcFacts,
      'REGISTRY_INVALID',
      'registry',
    ],
  ])('%s', (_name, inputs, facts, code, input) => {
    const error = catchError(() => plan(inputs, facts));
    expect(error.code).toBe(code);
    expect(error.input).toBe(input);
    expect(error.message).toContain(plainWords.input(input as InputKey));
    for (const secret of SECRETS) expect(error.message).not.toContain(secret);
    expect(error.cause).toBeUndefined();
  });

  test('the missing OIDC explanation comes from the adapter', () => {
    const error = catchError(() => plan({ authType: 'oidc', clientId: CLIENT, tenantId: TENANT }, noOidc));
    expect(error.message).toContain('Add "permissions: id-token: write" to the job.');
  });

  test('client id and tenant without OIDC and without a secret: the secret may be empty', () => {
    const error = catchError(() => plan({ clientId: CLIENT, tenantId: TENANT }, noOidc));
    expect(error.code).toBe('OIDC_UNAVAILABLE');
    expect(error.message).toContain('If you meant to sign in with a client secret, "client-secret" is empty');
    const managed = catchError(() => plan({ authType: 'oidc', clientId: CLIENT, tenantId: TENANT }, noOidc));
    expect(managed.message).not.toContain('client secret');
  });

  test('every missing input is named at once', () => {
    const error = catchError(() => plan({ authType: 'azure-pipelines' }));
    for (const name of ['client-id', 'tenant-id', 'service-connection-id', 'system-access-token']) {
      expect(error.message).toContain(`"${name}"`);
    }
  });

  test('creds errors name missing fields, not values', () => {
    const error = catchError(() =>
      plan({ creds: JSON.stringify({ appId: CLIENT, password: CREDS_SECRET }) }),
    );
    expect(error.message).toMatch(/lacks tenantId \(or tenant\)\./);
    expect(error.message).not.toContain(CLIENT);
  });
});

test('tenant-id alone with OIDC available means OIDC, and planning names the missing client-id', () => {
  expect(() =>
    planLogin(
      { registry: 'contoso', tenantId: '5e7a1c2d-0b4f-4c3e-9a61-7d2f8e0c4b19' },
      { oidcAvailable: true, env: {} },
    ),
  ).toThrowError(
    expect.objectContaining({ code: 'INPUT_REQUIRED', message: expect.stringContaining('"client-id"') }),
  );
});
