import { MockAgent } from 'undici';
import { afterEach, describe, expect, test } from 'vitest';
import { githubOidcProvider } from '../../src/identity/github-oidc.ts';
import { nodeTransport, type Transport } from '../../src/transport.ts';

const endpoint = {
  requestUrl: 'https://token.actions.example/idtoken?api-version=2.0',
  requestToken: 'request-token',
};

let agent: MockAgent;
const opened: MockAgent[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((each) => each.close()));
});

/** The service answers each request with the next of `answers`, the last one from then on. */
function service(...answers: [status: number, body: unknown][]) {
  agent = new MockAgent();
  opened.push(agent);
  agent.disableNetConnect();
  const seen: Record<string, string>[] = [];
  const pool = agent.get('https://token.actions.example');
  answers.forEach(([status, body], index) => {
    const interceptor = pool
      .intercept({ path: (path) => path.startsWith('/idtoken'), method: 'GET' })
      .reply(status, (options) => {
        seen.push({ path: options.path, ...(options.headers as Record<string, string>) });
        return typeof body === 'string' ? body : JSON.stringify(body);
      });
    if (index === answers.length - 1) interceptor.persist();
  });
  return seen;
}

const sleeps: number[] = [];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};

describe("GitHub's OIDC token service, asked as @actions/core asks it", () => {
  test('GET <url>&audience=<aud> with the request token; the value is the token', async () => {
    const seen = service([200, { value: 'eyJ.oidc.token' }]);
    const token = await githubOidcProvider(endpoint, agent, sleep, () => 1)('api://AzureADTokenExchange');
    expect(token).toBe('eyJ.oidc.token');
    expect(seen[0]).toMatchObject({
      path: '/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange',
      authorization: 'Bearer request-token',
      accept: 'application/json',
      'user-agent': 'acr-login',
    });
  });

  test('a 5xx or 429 is asked again after a pause, as @actions/core does', async () => {
    sleeps.length = 0;
    const seen = service([503, ''], [429, ''], [200, { value: 'eyJ.oidc.token' }]);
    await expect(githubOidcProvider(endpoint, agent, sleep, () => 1)('aud')).resolves.toBe('eyJ.oidc.token');
    expect(seen).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  /** A transport that fails every request with `error`, counting them. */
  function failing(error: Error): Transport & { asked: number } {
    const transport = {
      asked: 0,
      request: async () => {
        transport.asked++;
        throw error;
      },
      close: async () => {},
    };
    return transport;
  }
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });

  test('a service that refuses the connection is asked four times, then named with the network fix', async () => {
    sleeps.length = 0;
    const transport = failing(refused());
    await expect(githubOidcProvider(endpoint, transport, sleep, () => 1)('aud')).rejects.toMatchObject({
      code: 'OIDC_FAILED',
      message: expect.stringContaining("Check the runner's network and proxy settings"),
    });
    expect(transport.asked).toBe(4);
    expect(sleeps).toEqual([500, 1000, 2000]);
    // The low end of the jitter: half of each delay.
    sleeps.length = 0;
    await expect(
      githubOidcProvider(endpoint, failing(refused()), sleep, () => 0)('aud'),
    ).rejects.toMatchObject({
      code: 'OIDC_FAILED',
    });
    expect(sleeps).toEqual([250, 500, 1000]);
  });

  test('a failure no retry fixes is reported at once: a name that does not resolve, a proxy it cannot use', async () => {
    sleeps.length = 0;
    const unresolved = failing(
      Object.assign(new Error('getaddrinfo ENOTFOUND token.actions.example'), { code: 'ENOTFOUND' }),
    );
    await expect(githubOidcProvider(endpoint, unresolved, sleep, () => 1)('aud')).rejects.toMatchObject({
      code: 'OIDC_FAILED',
      message: expect.stringContaining('ENOTFOUND'),
    });
    const socks = nodeTransport({ proxy: { url: 'socks5://proxy:1080' } });
    await expect(githubOidcProvider(endpoint, socks, sleep, () => 1)('aud')).rejects.toMatchObject({
      code: 'INPUT_INVALID',
    });
    await socks.close();
    expect(unresolved.asked).toBe(1);
    expect(sleeps).toEqual([]);
  });

  test.each([
    [401, { message: 'expired' }, 'permissions: id-token: write', 1],
    [403, '', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN, HTTP 403', 1],
    [200, { value: '' }, 'answered HTTP 200 without a token', 1],
    [200, 'not json', 'answered HTTP 200 without a token', 1],
    [200, null, 'answered HTTP 200 without a token', 1],
    [200, {}, 'answered HTTP 200 without a token', 1],
    [200, { value: 42 }, 'answered HTTP 200 without a token', 1],
    [500, { message: 'down' }, 'answered HTTP 500 without a token', 4],
  ])('HTTP %i %j -> OIDC_FAILED naming %s, after %i request(s)', async (status, body, text, requests) => {
    const seen = service([status, body]);
    await expect(githubOidcProvider(endpoint, agent, sleep, () => 1)('aud')).rejects.toMatchObject({
      code: 'OIDC_FAILED',
      message: expect.stringContaining(text),
    });
    expect(seen).toHaveLength(requests);
  });
});
