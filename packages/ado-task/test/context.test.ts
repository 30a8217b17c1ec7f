import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { describe, expect, test } from 'vitest';
import { AcrLoginError, type LoginInputs, planLogin } from '../../core/src/index.ts';
import { type Connection, type Localize, readTaskInputs, type TaskSource } from '../src/context.ts';

/** `tl.loc` as task-lib implements it: the message from task.json, `%s` filled by util.format. */
const messages = (
  JSON.parse(readFileSync(new URL('../../../task.json', import.meta.url), 'utf8')) as {
    messages: Record<string, string>;
  }
).messages;
const loc: Localize = (key, ...params) => {
  const message = messages[key];
  if (message === undefined) throw new Error(`task.json has no message "${key}"`);
  return format(message, ...params);
};

const ID = '0f8e3b2a-1c4d-4e5f-8a9b-0c1d2e3f4a5b';
const APP = '00000000-0000-4000-8000-000000001006';
const TENANT = '5e7a1c2d-0b4f-4c3e-9a61-7d2f8e0c4b19';
const MSI = '00000000-0000-4000-8000-000000003002';
const PEM =
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

function source(
  inputs: Record<string, string>,
  connection: Partial<Connection> = {},
  accessToken: string | undefined = 'system-access-token',
): TaskSource {
  return {
    input: (name) => inputs[name] ?? '',
    connection: (id) => ({ id, scheme: '', parameters: {}, data: {}, ...connection }),
    systemAccessToken: () => accessToken,
  };
}

const base = { registry: 'contoso', tokenAudience: 'acr', clients: 'docker', logout: 'true' };
const withConnection = { ...base, authType: 'serviceConnection', azureSubscription: ID };
const wif: Partial<Connection> = {
  scheme: 'WorkloadIdentityFederation',
  parameters: { serviceprincipalid: APP, tenantid: TENANT },
  data: { environment: 'AzureCloud' },
};

describe('readTaskInputs maps each way of signing in to core inputs', () => {
  test.each<[string, TaskSource, LoginInputs]>([
    [
      'WIF connection: the connection id and the job access token',
      source(withConnection, wif),
      {
        registry: 'contoso',
        clients: 'docker',
        tokenAudience: 'acr',
        environment: 'AzureCloud',
        authType: 'azure-pipelines',
        clientId: APP,
        tenantId: TENANT,
        serviceConnectionId: ID,
        systemAccessToken: 'system-access-token',
      },
    ],
    [
      'trusted registries pass through for a custom domain in front of a registry',
      source({ ...withConnection, trustedRegistries: 'registry.contoso.com' }, wif),
      {
        registry: 'contoso',
        clients: 'docker',
        trustedRegistries: 'registry.contoso.com',
        tokenAudience: 'acr',
        environment: 'AzureCloud',
        authType: 'azure-pipelines',
        clientId: APP,
        tenantId: TENANT,
        serviceConnectionId: ID,
        systemAccessToken: 'system-access-token',
      },
    ],
    [
      'service principal with a secret (authenticationType spnKey, keys in any case)',
      source(withConnection, {
        scheme: 'ServicePrincipal',
        parameters: {
          ServicePrincipalId: APP,
          TENANTID: TENANT,
          authenticationType: 'spnKey',
          serviceprincipalkey: 's3cret',
        },
      }),
      {
        registry: 'contoso',
        clients: 'docker',
        tokenAudience: 'acr',
        authType: 'service-principal',
        clientId: APP,
        tenantId: TENANT,
        clientSecret: 's3cret',
      },
    ],
    [
      'service principal without authenticationType: a secret, as older connections have',
      source(withConnection, {
        scheme: 'ServicePrincipal',
        parameters: { serviceprincipalid: APP, tenantid: TENANT, serviceprincipalkey: 's3cret' },
      }),
      {
        registry: 'contoso',
        clients: 'docker',
        tokenAudience: 'acr',
        authType: 'service-principal',
        clientId: APP,
        tenantId: TENANT,
        clientSecret: 's3cret',
      },
    ],
    [
      'service principal with a certificate: the PEM text itself',
      source(withConnection, {
        scheme: 'ServicePrincipal',
        parameters: {
          serviceprincipalid: APP,
          tenantid: TENANT,
          authenticationType: 'spnCertificate',
          servicePrincipalCertificate: PEM,
        },
        data: { environment: 'AzureUSGovernment' },
      }),
      {
        registry: 'contoso',
        clients: 'docker',
        tokenAudience: 'acr',
        environment: 'AzureUSGovernment',
        authType: 'service-principal',
        clientId: APP,
        tenantId: TENANT,
        clientCertificate: PEM.trim(),
      },
    ],
    [
      'managed identity connection with msiclientId',
      source(withConnection, {
        scheme: 'ManagedServiceIdentity',
        parameters: { tenantid: TENANT },
        data: { msiclientId: MSI, environment: 'AzureChinaCloud' },
      }),
      {
        registry: 'contoso',
        clients: 'docker',
        tokenAudience: 'acr',
        environment: 'AzureChinaCloud',
        authType: 'managed-identity',
        clientId: MSI,
        tenantId: TENANT,
      },
    ],
    [
      'managed identity connection without msiclientId: the system-assigned identity',
      source(withConnection, { scheme: 'managedserviceidentity', parameters: {}, data: {} }),
      { registry: 'contoso', clients: 'docker', tokenAudience: 'acr', authType: 'managed-identity' },
    ],
    [
      'authType managedIdentity with a user-assigned client id; the connection is not read',
      source({
        ...base,
        tokenAudience: 'arm',
        authType: 'managedIdentity',
        azureSubscription: 'ignored',
        managedIdentityClientId: MSI,
      }),
      {
        registry: 'contoso',
        clients: 'docker',
        tokenAudience: 'arm',
        authType: 'managed-identity',
        clientId: MSI,
      },
    ],
    [
      'authType usernamePassword: no token audience although task.json gives it a default',
      source({ ...base, authType: 'usernamePassword', username: 'contoso', password: 'pw' }),
      {
        registry: 'contoso',
        clients: 'docker',
        authType: 'username-password',
        username: 'contoso',
        password: 'pw',
      },
    ],
    [
      'authType anonymous, in any case',
      source({ ...base, authType: 'Anonymous', username: 'ignored' }),
      { registry: 'contoso', clients: 'docker', authType: 'anonymous' },
    ],
    [
      'Azure Stack Hub: a custom cloud, authority from the connection, suffix from the first login server',
      source(
        {
          ...withConnection,
          registry: 'myreg.azsacr.local.azurestack.external\nother.azsacr.local.azurestack.external',
        },
        {
          ...wif,
          data: { environment: 'AzureStack', activeDirectoryAuthority: 'https://login.microsoftonline.com/' },
        },
      ),
      {
        registry: 'myreg.azsacr.local.azurestack.external\nother.azsacr.local.azurestack.external',
        clients: 'docker',
        tokenAudience: 'acr',
        environment: 'custom',
        authorityHost: 'https://login.microsoftonline.com',
        registrySuffix: 'azsacr.local.azurestack.external',
        authType: 'azure-pipelines',
        clientId: APP,
        tenantId: TENANT,
        serviceConnectionId: ID,
        systemAccessToken: 'system-access-token',
      },
    ],
  ])('%s', (_name, given, expected) => {
    expect(readTaskInputs(given, loc).login).toEqual(expected);
  });

  test('the result passes core validation for every connection scheme', () => {
    for (const connection of [
      wif,
      {
        scheme: 'ServicePrincipal',
        parameters: { serviceprincipalid: APP, tenantid: TENANT, serviceprincipalkey: 'x' },
      },
      { scheme: 'ManagedServiceIdentity', parameters: { tenantid: TENANT }, data: { msiclientId: MSI } },
    ]) {
      const { login } = readTaskInputs(source(withConnection, connection), loc);
      const plan = planLogin(login, { oidcAvailable: false, env: {} });
      expect(plan.registries.map((r) => r.loginServer)).toEqual(['contoso.azurecr.io']);
    }
  });

  test('the connection summary names the connection, scheme and app, and holds no secret', () => {
    const inputs = readTaskInputs(
      source(withConnection, {
        scheme: 'ServicePrincipal',
        parameters: { serviceprincipalid: APP, tenantid: TENANT, serviceprincipalkey: 's3cret' },
      }),
      loc,
    );
    expect(inputs.connection).toEqual({
      id: ID,
      scheme: 'ServicePrincipal',
      clientId: APP,
      tenantId: TENANT,
    });
    expect(JSON.stringify(inputs.connection)).not.toContain('s3cret');
  });
});

describe('readTaskInputs refuses what cannot work, naming the connection and the fix', () => {
  test.each<[string, TaskSource, string, RegExp]>([
    [
      'unknown auth type',
      source({ ...base, authType: 'oidc' }),
      'INPUT_INVALID',
      /"authType" is "oidc".*serviceConnection, managedIdentity/,
    ],
    [
      'no connection chosen',
      source({ ...base, authType: 'serviceConnection' }),
      'INPUT_REQUIRED',
      /"azureSubscription" is empty/,
    ],
    [
      'connection not authorised: no scheme',
      source(withConnection, {}),
      'INPUT_INVALID',
      new RegExp(`"${ID}" is not available to this job.*Authorise the connection`),
    ],
    [
      'a scheme this task cannot use',
      source(withConnection, { scheme: 'PublishProfile' }),
      'INPUT_INVALID',
      /uses the authorization scheme "PublishProfile".*workload identity federation/,
    ],
    [
      'WIF without tenant',
      source(withConnection, {
        scheme: 'WorkloadIdentityFederation',
        parameters: { serviceprincipalid: APP },
      }),
      'INPUT_INVALID',
      /\(WorkloadIdentityFederation\) has no "tenantid" parameter/,
    ],
    [
      'WIF without the job access token',
      source(withConnection, wif, ''),
      'OIDC_UNAVAILABLE',
      /workload identity federation, which needs the job's access token \(System.AccessToken\)/,
    ],
    [
      'SP secret missing',
      source(withConnection, {
        scheme: 'ServicePrincipal',
        parameters: { serviceprincipalid: APP, tenantid: TENANT, authenticationType: 'spnKey' },
      }),
      'INPUT_INVALID',
      /\(ServicePrincipal\) has no "serviceprincipalkey" parameter/,
    ],
    [
      'SP certificate missing',
      source(withConnection, {
        scheme: 'ServicePrincipal',
        parameters: { serviceprincipalid: APP, tenantid: TENANT, authenticationType: 'spnCertificate' },
      }),
      'INPUT_INVALID',
      /has no "servicePrincipalCertificate" parameter/,
    ],
    [
      'SP with an unknown authentication type',
      source(withConnection, {
        scheme: 'ServicePrincipal',
        parameters: { serviceprincipalid: APP, tenantid: TENANT, authenticationType: 'spnManagedCert' },
      }),
      'INPUT_INVALID',
      /authenticates with "spnManagedCert"; this task supports spnKey \(secret\) and spnCertificate/,
    ],
    [
      'Azure Stack with a short registry name',
      source(withConnection, {
        ...wif,
        data: { environment: 'AzureStack', activeDirectoryAuthority: 'https://login.microsoftonline.com/' },
      }),
      'REGISTRY_INVALID',
      /Azure Stack Hub connection, so "registry" must list fully qualified login servers.*not "contoso"/,
    ],
    [
      'Azure Stack without an authority',
      source(
        { ...withConnection, registry: 'r.azsacr.local.azurestack.external' },
        {
          ...wif,
          data: { environment: 'AzureStack' },
        },
      ),
      'INPUT_INVALID',
      /"activeDirectoryAuthority" is "", not an https URL/,
    ],
    [
      'Azure Stack with a plain-http authority',
      source(
        { ...withConnection, registry: 'r.azsacr.local.azurestack.external' },
        {
          ...wif,
          data: { environment: 'AzureStack', activeDirectoryAuthority: 'http://login.azurestack.local/' },
        },
      ),
      'INPUT_INVALID',
      /"activeDirectoryAuthority" is "http:\/\/login.azurestack.local\/", not an https URL/,
    ],
  ])('%s', (_name, given, code, message) => {
    let error: unknown;
    try {
      readTaskInputs(given, loc);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AcrLoginError);
    expect((error as AcrLoginError).code).toBe(code);
    expect((error as AcrLoginError).message).toMatch(message);
    expect((error as AcrLoginError).message).not.toContain('system-access-token');
  });
});
