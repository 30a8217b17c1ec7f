import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { afterEach, describe, expect, test } from 'vitest';
import { routeSdkLog } from '../../src/identity/token.ts';
import { redactSdkLog } from '../../src/log-text.ts';

const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.job-access-token.sig';

describe('redactSdkLog', () => {
  test.each([
    ['IMDS answered 200', 'IMDS answered 200'],
    [
      `Complete response - {"status":401,"request":{"url":"https://x","headers":{"authorization":"Bearer ${TOKEN}"}},"bodyAsText":""}`,
      'Complete response - {"status":401,"request":"REDACTED","bodyAsText":""}',
    ],
    [
      `headers: {"Authorization":"Bearer ${TOKEN}","accept":"*/*"}`,
      'headers: {"Authorization":"REDACTED","accept":"*/*"}',
    ],
    [`Authorization: Bearer ${TOKEN}`, 'Authorization: "REDACTED"'],
    [`proxy-authorization=Basic dXNlcjpwYXNzd29yZA==`, 'proxy-authorization="REDACTED"'],
    [`sent Bearer ${TOKEN} to the service`, 'sent Bearer REDACTED to the service'],
    [`cut short "request":{"headers":{"authorization":"Bearer ${TOKEN}`, 'cut short "request":"REDACTED"'],
  ])('%j', (text, expected) => {
    expect(redactSdkLog(text)).toBe(expected);
  });
});

describe("the Azure SDK's log in the debug output", () => {
  const saved = process.env.SYSTEM_OIDCREQUESTURI;
  afterEach(() => {
    if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
    else process.env.SYSTEM_OIDCREQUESTURI = saved;
  });

  test('a failed Azure Pipelines OIDC response is logged without the access token or its header', async () => {
    const lines: string[] = [];
    await routeSdkLog({ debug: (line) => lines.push(line) });
    process.env.SYSTEM_OIDCREQUESTURI = 'https://dev.azure.com/contoso/_apis/distributedtask/oidctoken';
    // Azure DevOps answers a token it does not accept with an empty 401.
    const httpClient: HttpClient = {
      sendRequest: async (request: PipelineRequest): Promise<PipelineResponse> => {
        const { createHttpHeaders } = await import('@azure/core-rest-pipeline');
        return { request, status: 401, headers: createHttpHeaders(), bodyAsText: '' };
      },
    };
    const { AzurePipelinesCredential } = await import('@azure/identity');
    const credential = new AzurePipelinesCredential(
      '5e7a1c2d-0b4f-4c3e-9a61-7d2f8e0c4b19',
      '11111111-1111-1111-1111-111111111111',
      '22222222-2222-2222-2222-222222222222',
      TOKEN,
      { httpClient },
    );
    await expect(credential.getToken('https://containerregistry.azure.net/.default')).rejects.toThrow();
    const log = lines.join('\n');
    // The SDK did log the failed response: there was something to redact.
    expect(log).toContain('Complete response');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toMatch(/authorization"?\s*[:=]\s*"?(Bearer|Basic)/i);
  });
});
