import { createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, test } from 'vitest';
import { firstLine } from '../../src/identity/auth-kind.ts';
import {
  certificateAssertion,
  clientCredentialsRequest,
  EntraErrorResponse,
  loadCertificate,
  processTokenResponse,
} from '../../src/identity/entra.ts';
import { supportFacts } from '../../src/identity/token.ts';
import { CLOUDS } from '../../src/plan/clouds.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const base = {
  cloud: CLOUDS.AzureCloud,
  tenantId: '5e7a1c2d-0b4f-4c3e-9a61-7d2f8e0c4b19',
  clientId: '11111111-1111-1111-1111-111111111111',
  scope: 'https://containerregistry.azure.net/.default',
};

describe('clientCredentialsRequest', () => {
  test.each([
    ['secret', { kind: 'secret', secret: 's3cret' } as const, { client_secret: 's3cret' }],
    [
      'assertion',
      { kind: 'assertion', assertion: 'a.b.c' } as const,
      {
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: 'a.b.c',
      },
    ],
  ])('%s', (_name, proof, expected) => {
    const req = clientCredentialsRequest({ ...base, proof });
    expect(req.url).toBe(`https://login.microsoftonline.com/${base.tenantId}/oauth2/v2.0/token`);
    expect(req.form).toEqual({
      client_id: base.clientId,
      grant_type: 'client_credentials',
      scope: base.scope,
      ...expected,
    });
    expect(req.purpose).not.toContain('s3cret');
  });

  test.each([
    ['AzureChinaCloud', 'https://login.chinacloudapi.cn/'],
    ['AzureUSGovernment', 'https://login.microsoftonline.us/'],
  ] as const)('%s uses its own authority', (cloud, prefix) => {
    const req = clientCredentialsRequest({
      ...base,
      cloud: CLOUDS[cloud],
      proof: { kind: 'secret', secret: 'x' },
    });
    expect(req.url.startsWith(prefix)).toBe(true);
  });
});

describe('processTokenResponse', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test('reads the token and its lifetime', () => {
    const res = {
      status: 200,
      headers: {},
      body: '{"token_type":"Bearer","expires_in":3599,"access_token":"tok"}',
    };
    expect(processTokenResponse(res, now)).toEqual({ token: 'tok', expiresOn: new Date(now + 3_599_000) });
  });

  test.each([
    [
      400,
      '{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}',
      'AADSTS7000215: Invalid client secret provided.',
    ],
    [502, '<html>bad gateway</html>', 'HTTP 502 invalid_response'],
    [200, '{"token_type":"Bearer"}', 'HTTP 200 invalid_response'],
  ])('HTTP %i -> %j', (status, body, message) => {
    expect(() => processTokenResponse({ status, headers: {}, body }, now)).toThrowError(
      expect.objectContaining({ name: 'EntraErrorResponse', message }),
    );
    expect(() => processTokenResponse({ status, headers: {}, body }, now)).toThrow(EntraErrorResponse);
  });
});

describe('certificates', () => {
  test('a signed assertion Entra can verify: RS256, x5t of the certificate, aud = token endpoint', async () => {
    const pem = fixture('rsa-bundle.pem');
    const certificate = loadCertificate(pem, undefined);
    const cert = new X509Certificate(
      pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0] ?? '',
    );
    expect(certificate.x5t).toBe('CQTQxzkLFzA2CnrVac9DU0pUOvQ');
    const audience = `https://login.microsoftonline.com/${base.tenantId}/oauth2/v2.0/token`;
    const now = Date.now();
    const jwt = await certificateAssertion(certificate, base.clientId, audience, now);
    await compactVerify(jwt, createPublicKey(cert.publicKey.export({ format: 'pem', type: 'spki' })));
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'RS256', typ: 'JWT', x5t: certificate.x5t });
    expect(decodeJwt(jwt)).toMatchObject({
      iss: base.clientId,
      sub: base.clientId,
      aud: audience,
      exp: Math.floor(now / 1000) + 600,
    });
  });

  test('an encrypted key opens with its password', () => {
    expect(loadCertificate(fixture('rsa-bundle-encrypted.pem'), 'test-password').x5t).toBe(
      'CQTQxzkLFzA2CnrVac9DU0pUOvQ',
    );
  });

  test.each([
    [
      'wrong password',
      fixture('rsa-bundle-encrypted.pem'),
      'nope',
      /cannot be read with "client-certificate-password"/,
    ],
    ['EC key', `${fixture('cert.pem')}${fixture('key.pem')}`, undefined, /accepts RSA certificates only/],
    [
      'key of another certificate',
      `${fixture('cert.pem')}${fixture('rsa-bundle.pem').replace(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/, '')}`,
      undefined,
      /No certificate in "client-certificate" matches its private key/,
    ],
  ])('%s -> CERTIFICATE_INVALID', (_name, pem, password, message) => {
    expect(() => loadCertificate(pem, password)).toThrowError(
      expect.objectContaining({ code: 'CERTIFICATE_INVALID', message: expect.stringMatching(message) }),
    );
  });
});

describe('the ids Microsoft support asks for', () => {
  test.each([
    [
      'in the description',
      'AADSTS700016: Application not found. Trace ID: 0a1b Correlation ID: 2c3d-4e5f Timestamp: 2026-01-01 00:00:00Z',
      { 'trace id': '0a1b', 'correlation id': '2c3d-4e5f', timestamp: '2026-01-01 00:00:00Z' },
    ],
    [
      'in an SDK message, lines around them',
      'ClientAssertionCredential failed: AADSTS70021: No match.\r\nTrace ID: 11 Correlation ID: 22\r\nTimestamp: 2026-01-01 00:00:00Z\r\nmore',
      { 'trace id': '11', 'correlation id': '22', timestamp: '2026-01-01 00:00:00Z' },
    ],
    [
      "after MSAL's placeholders",
      'Error(s): 700213 - Timestamp: Not Available - Description: AADSTS700213: No matching federated identity record found. Trace ID: 9f8e Correlation ID: 7d6c Timestamp: 2026-01-01 00:00:00Z - Correlation ID: Not Available',
      { 'trace id': '9f8e', 'correlation id': '7d6c', timestamp: '2026-01-01 00:00:00Z' },
    ],
    ['absent', 'connect ECONNREFUSED', {}],
  ])('%s', (_name, message, facts) => {
    expect(supportFacts(message)).toEqual(facts);
  });

  test('a token response keeps them even when the description does not hold them', () => {
    const res = {
      status: 400,
      headers: {},
      body: JSON.stringify({
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret provided.',
        correlation_id: 'c-1',
        timestamp: '2026-01-01 00:00:00Z',
      }),
    };
    expect(() => processTokenResponse(res, 0)).toThrowError(
      /Correlation ID: c-1 Timestamp: 2026-01-01 00:00:00Z/,
    );
  });
});

describe("Entra's and the SDK's error text as a message shows it", () => {
  test.each([
    [
      'AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1',
      'AADSTS7000215: Invalid client secret provided',
    ],
    ['refused\r::warning::injected\n##vso[task.complete]', 'refused ::warning::injected'],
    ['bell\u0007 escape\u001b[31m separator\u2028next.', 'bell  escape [31m separator next'],
  ])('%j -> %j', (text, expected) => {
    expect(firstLine(new Error(text))).toBe(expected);
  });
});
