import { MockAgent } from 'undici';
import { afterEach, describe, expect, test } from 'vitest';
import { AcrLoginError } from '../../src/errors.ts';
import { HttpClient } from '../../src/http.ts';
import { type AzurePipelinesIdentity, oidcRequestError } from '../../src/identity/kinds/azure-pipelines.ts';
import { getEntraToken } from '../../src/identity/token.ts';
import { CLOUDS } from '../../src/plan/clouds.ts';
import { nullLogger } from '../../src/types.ts';

const identity: AzurePipelinesIdentity = {
  type: 'azure-pipelines',
  tenantId: '5e7a1c2d-0b4f-4c3e-9a61-7d2f8e0c4b19',
  clientId: '11111111-1111-1111-1111-111111111111',
  serviceConnectionId: '0f8e3b2a-1c4d-4e5f-8a9b-0c1d2e3f4a5b',
  systemAccessToken: 'job-access-token',
};
const OIDC_URI =
  'https://dev.azure.example/contoso/_apis/distributedtask/hubs/build/plans/1/jobs/2/oidctoken';

let agent: MockAgent | undefined;
const saved = process.env.SYSTEM_OIDCREQUESTURI;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
  else process.env.SYSTEM_OIDCREQUESTURI = saved;
});

describe('workload identity federation: the ID-token request to Azure DevOps', () => {
  test('refused (401): OIDC_FAILED, naming the request, the status and both fixes; Entra is never asked', async () => {
    agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get('https://dev.azure.example')
      .intercept({ path: (path) => path.startsWith('/contoso/'), method: 'POST' })
      .reply(401, { message: 'TF400813: The user is not authorized to access this resource.' })
      .persist();
    // The SDK reads the request URI from the environment, as on an agent.
    process.env.SYSTEM_OIDCREQUESTURI = OIDC_URI;
    const ctx = {
      cloud: CLOUDS.AzureCloud,
      http: new HttpClient({ dispatcher: agent, logger: nullLogger }),
      clock: { now: () => Date.now() },
      dispatcher: agent,
      logger: nullLogger,
    };
    const error = await getEntraToken(identity, 'https://containerregistry.azure.net/.default', ctx).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AcrLoginError);
    expect(error).toMatchObject({ code: 'OIDC_FAILED', details: { 'http status': '401' } });
    const message = (error as Error).message;
    expect(message).toMatch(
      /^Azure DevOps refused the OIDC token request for service connection 0f8e3b2a-1c4d-4e5f-8a9b-0c1d2e3f4a5b \(HTTP 401\)/,
    );
    expect(message).toContain(
      'Authorise service connection 0f8e3b2a-1c4d-4e5f-8a9b-0c1d2e3f4a5b for this pipeline',
    );
    expect(message).toContain('can use it');
    expect(message).not.toContain('\n');
    expect(message).not.toContain('job-access-token');
  });

  test.each([
    [
      'an answer without a token (503)',
      'AzurePipelinesCredential: Authentication Failed. oidcToken field not detected in the response. Status code: 503',
      /^Azure DevOps could not answer the OIDC token request .* \(HTTP 503\).* Run the job again/,
    ],
    [
      'an empty answer (403)',
      'AzurePipelinesCredential: Authentication Failed. Received null token from OIDC request. Status code: 403',
      /^Azure DevOps refused the OIDC token request .* \(HTTP 403\)/,
    ],
  ])('%s', (_, text, expected) => {
    expect(oidcRequestError(identity, new Error(text))?.message).toMatch(expected);
  });

  test("any other failure is left to Entra's explanation", () => {
    const text = 'AADSTS700213: No matching federated identity record found for presented assertion subject';
    expect(oidcRequestError(identity, new Error(text))).toBeUndefined();
  });
});
