import { describe, expect, test } from 'vitest';
import { type EntraErrorContext, explainEntraError } from '../../src/identity/aadsts.ts';
import { plainWords, render } from '../../src/wording.ts';

const CLIENT = '11111111-2222-3333-4444-555555555555';
const TENANT = '5e7a1c2d-0b4f-4c3e-9a61-7d2f8e0c4b19';
const claims = {
  iss: 'https://token.actions.githubusercontent.com',
  sub: 'repo:contoso/app:environment:prod',
  aud: 'api://AzureADTokenExchange',
};
const oidc: EntraErrorContext = { authType: 'oidc', clientId: CLIENT, tenantId: TENANT, oidcClaims: claims };
const sp: EntraErrorContext = { authType: 'service-principal', clientId: CLIENT, tenantId: TENANT };

// Messages as @azure/identity surfaces them (first line of Entra's error_description).
const msg = (code: string, text: string) =>
  `ClientSecretCredential authentication failed: ${code}: ${text} Trace ID: 0000 Correlation ID: 1111 Timestamp: 2025-01-01 00:00:00Z`;

describe('explainEntraError', () => {
  test.each<[string, EntraErrorContext, RegExp, RegExp]>([
    [
      msg('AADSTS700016', `Application with identifier '${CLIENT}' was not found in the directory 'x'.`),
      sp,
      new RegExp(`application ${CLIENT} was not found in the tenant ${TENANT}.*consent`),
      /Application \(client\) ID.*Directory \(tenant\) ID/,
    ],
    [
      msg('AADSTS7000215', 'Invalid client secret provided.'),
      sp,
      /secret ID/,
      /secret's Value.*not its Secret ID/,
    ],
    [
      msg('AADSTS7000222', 'The provided client secret keys are expired.'),
      sp,
      /expired/,
      /new client secret/,
    ],
    [
      msg('AADSTS700027', 'Client assertion contains an invalid signature.'),
      sp,
      /certificate is not uploaded/,
      /Upload the public certificate/,
    ],
    [
      msg('AADSTS70021', 'No matching federated identity record found for presented assertion.'),
      oidc,
      /subject "repo:contoso\/app:environment:prod"/,
      /federated-credential create --id 11111111-2222-3333-4444-555555555555 .*"subject":"repo:contoso\/app:environment:prod"/,
    ],
    [
      msg('AADSTS700213', 'No matching federated identity record found for presented assertion subject.'),
      oidc,
      /token's subject/,
      /repo:<owner>\/<repo>:environment:<name>/,
    ],
    [
      msg('AADSTS700211', 'No matching federated identity record found for presented assertion issuer.'),
      oidc,
      /token's issuer.*issuer "https:\/\/token\.actions\.githubusercontent\.com"/,
      /"issuer":"https:\/\/token\.actions\.githubusercontent\.com"/,
    ],
    [
      msg('AADSTS700212', 'No matching federated identity record found for presented assertion audience.'),
      oidc,
      /token's audience.*audience "api:\/\/AzureADTokenExchange"/,
      /"audience" input/,
    ],
    [
      msg('AADSTS700024', 'Client assertion is not within its valid time range.'),
      oidc,
      /clock/,
      /Synchronise the runner or agent clock/,
    ],
    [
      msg('AADSTS700024', 'Client assertion is not within its valid time range.'),
      { authType: 'workload-identity', clientId: CLIENT, tenantId: TENANT },
      /AZURE_FEDERATED_TOKEN_FILE/,
      /service account token/,
    ],
    [
      msg('AADSTS50001', 'The application named https://management.azure.com was not found in the tenant.'),
      oidc,
      /another cloud/,
      /"environment".*"token-audience" to acr/,
    ],
    [
      msg(
        'AADSTS500011',
        'The resource principal named https://containerregistry.azure.net was not found in the tenant.',
      ),
      sp,
      new RegExp(`tenant ${TENANT} has no service principal`),
      /"tenant-id" to the tenant of the registry/,
    ],
    [
      msg('AADSTS90002', "Tenant 'x' not found."),
      sp,
      new RegExp(`tenant ${TENANT} was not found`),
      /"environment"/,
    ],
    ...(['AADSTS50166', 'AADSTS501661', 'AADSTS90061'] as const).map(
      (code): [string, EntraErrorContext, RegExp, RegExp] => [
        msg(code, 'Request to External OIDC endpoint failed.'),
        {
          authType: 'oidc',
          oidcClaims: {
            iss: 'https://ghes.contoso.com/_services/token',
            sub: 'repo:o/r:ref:refs/heads/main',
            aud: 'api://AzureADTokenExchange',
          },
        },
        /could not fetch the OpenID configuration or signing keys of https:\/\/ghes\.contoso\.com\/_services\/token/,
        /https:\/\/ghes\.contoso\.com\/_services\/token's \/\.well-known\/openid-configuration .* a service principal/,
      ],
    ),
  ])('%s', (message, context, explanation, fix) => {
    const code = /AADSTS\d+/.exec(message)?.[0];
    const result = explainEntraError(message, context);
    expect(result?.code).toBe(code);
    expect(render(result?.explanation ?? '', plainWords)).toMatch(explanation);
    expect(render(result?.fix ?? '', plainWords)).toMatch(fix);
  });

  test.each([
    ['no code', 'ManagedIdentityCredential: network unreachable'],
    ['unknown code', 'AADSTS123456789: something new'],
    ['empty', ''],
    ['a longer code is not a known shorter one', 'AADSTS7000216: x'],
  ])('%s -> undefined', (_name, message) => {
    expect(explainEntraError(message, sp)).toBeUndefined();
  });

  test('the first code in the message is the one explained', () => {
    expect(explainEntraError('AADSTS90002: no tenant. Inner: AADSTS700016', sp)?.code).toBe('AADSTS90002');
  });

  test('federated mismatch without claims explains the rule and leaves placeholders', () => {
    const result = explainEntraError('AADSTS70021: x', { authType: 'azure-pipelines' });
    expect(result?.explanation).toMatch(/must equal the token's iss, sub and aud/);
    expect(result?.fix).toContain('--id <client-id>');
    expect(result?.fix).toContain('"issuer":"<iss>"');
  });

  test('without client and tenant the explanation stays grammatical', () => {
    expect(explainEntraError('AADSTS700016: x', { authType: 'service-principal' })?.explanation).toMatch(
      /^the application was not found in the tenant:/,
    );
  });
});

test('the audience fix names the default of the cloud in use', () => {
  const explained = explainEntraError(
    'AADSTS700212: No matching federated identity record found for presented assertion audience.',
    {
      authType: 'oidc',
      defaultAudience: 'api://AzureADTokenExchangeChina',
    },
  );
  expect(explained?.fix).toContain('(the default is api://AzureADTokenExchangeChina)');
});
