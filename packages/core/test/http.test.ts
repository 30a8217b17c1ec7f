import { MockAgent } from 'undici';
import { describe, expect, test } from 'vitest';
import { AcrLoginError } from '../src/errors.ts';
import { backoffDelay, DEFAULT_RETRY, HttpClient, parseRetryAfter } from '../src/http.ts';
import { NETWORK_BUDGET_MS, NetworkTimeoutError, STAGE_TIMEOUTS, type Transport } from '../src/transport.ts';
import { nullLogger } from '../src/types.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  test.each([
    [undefined, undefined],
    ['', undefined],
    ['3', 3000],
    [' 0 ', 0],
    ['Thu, 01 Jan 2026 00:00:05 GMT', 5000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
  ])('%j -> %j ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  test.each([
    [0, undefined, 1, 500],
    [0, undefined, 0, 250],
    [0, undefined, 0.5, 375],
    [1, undefined, 1, 1000],
    [2, undefined, 0, 1000],
    [10, undefined, 1, 20_000],
    [10, undefined, 0, 10_000],
    [0, 7000, 0, 7000],
    [0, 60_000, 0.3, 20_000],
  ])(
    'attempt %i with Retry-After %j and random() %d waits %i ms',
    (attempt, retryAfter, random, expected) => {
      expect(backoffDelay(attempt, DEFAULT_RETRY, retryAfter, () => random)).toBe(expected);
    },
  );

  test('parallel clients that failed together pause for different times', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(2, DEFAULT_RETRY, undefined)));
    expect(delays.size).toBeGreaterThan(1);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(1000);
  });
});

function setup() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const sleeps: number[] = [];
  const client = new HttpClient({
    dispatcher: agent,
    logger: nullLogger,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    clock: { now: () => NOW },
    random: () => 1,
  });
  return { pool: agent.get('https://contoso.azurecr.io'), client, sleeps };
}

const get = { method: 'GET', url: 'https://contoso.azurecr.io/v2/', purpose: 'registry challenge' } as const;

describe('HttpClient', () => {
  test('retries 429 honouring Retry-After, then returns the answer', async () => {
    const { pool, client, sleeps } = setup();
    pool.intercept({ path: '/v2/' }).reply(429, '', { headers: { 'retry-after': '2' } });
    pool.intercept({ path: '/v2/' }).reply(503, '');
    pool.intercept({ path: '/v2/' }).reply(200, 'ok');
    const res = await client.send(get);
    expect(res).toMatchObject({ status: 200, body: 'ok' });
    expect(sleeps).toEqual([2000, 1000]);
  });

  test('gives up after the retry budget and returns the last answer', async () => {
    const { pool, client, sleeps } = setup();
    pool.intercept({ path: '/v2/' }).reply(503, 'busy').times(4);
    const res = await client.send(get);
    expect(res.status).toBe(503);
    expect(sleeps).toHaveLength(DEFAULT_RETRY.retries);
  });

  test.each([400, 401, 403, 404])('never retries %i', async (status) => {
    const { pool, client, sleeps } = setup();
    pool.intercept({ path: '/v2/' }).reply(status, '');
    expect((await client.send(get)).status).toBe(status);
    expect(sleeps).toEqual([]);
  });

  test('retries a reset connection', async () => {
    const { pool, client, sleeps } = setup();
    pool
      .intercept({ path: '/v2/' })
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    pool.intercept({ path: '/v2/' }).reply(200, 'ok');
    expect((await client.send(get)).status).toBe(200);
    expect(sleeps).toEqual([500]);
  });

  test('an untrusted certificate names the CA settings, without retrying', async () => {
    const { pool, client, sleeps } = setup();
    pool.intercept({ path: '/v2/' }).replyWithError(
      Object.assign(new Error('unable to verify the first certificate'), {
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      }),
    );
    const error = await client.send(get).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
    expect((error as Error).message).toMatch(/not trusted here .* NODE_EXTRA_CA_CERTS .*Agent\.CAInfo/);
    expect(sleeps).toEqual([]);
  });

  test('an unresolvable host fails at once with REGISTRY_UNREACHABLE naming it', async () => {
    const { pool, client, sleeps } = setup();
    pool
      .intercept({ path: '/v2/' })
      .replyWithError(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    const error = await client.send(get).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AcrLoginError);
    expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
    expect((error as Error).message).toContain('"contoso.azurecr.io" does not resolve');
    expect(sleeps).toEqual([]);
  });

  test('sends forms url-encoded with repeated keys', async () => {
    const { pool, client } = setup();
    let seen = '';
    pool.intercept({ path: '/oauth2/token', method: 'POST' }).reply(200, (opts) => {
      seen = String(opts.body);
      return '{}';
    });
    await client.send({
      method: 'POST',
      url: 'https://contoso.azurecr.io/oauth2/token',
      purpose: 'token',
      form: { grant_type: 'refresh_token', scope: ['repository:a:pull', 'repository:b:pull,push'] },
    });
    expect(seen).toBe(
      'grant_type=refresh_token&scope=repository%3Aa%3Apull&scope=repository%3Ab%3Apull%2Cpush',
    );
  });

  test('refuses plain http before sending anything', async () => {
    const { client } = setup();
    await expect(client.send({ ...get, url: 'http://contoso.azurecr.io/v2/' })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringContaining('https only'),
    });
  });
});

describe('the longest a request can take with the defaults', () => {
  test('a peer that stalls at the last stage of every attempt: given up within the 100 s budget', async () => {
    let now = 0;
    let attempts = 0;
    const deadline = NETWORK_BUDGET_MS;
    // As nodeTransport with the step's budget: each stage takes its full time, cut to what is left.
    const stalling: Transport = {
      async request(req) {
        attempts++;
        const stages =
          STAGE_TIMEOUTS.connect + STAGE_TIMEOUTS.proxy + STAGE_TIMEOUTS.tls + (req.headersTimeout ?? 0);
        now += Math.min(stages, Math.max(0, deadline - now));
        throw new NetworkTimeoutError('headers', 'contoso.azurecr.io:443', 'http://proxy:3128', 1);
      },
      close: async () => undefined,
    };
    const client = new HttpClient({
      dispatcher: stalling,
      logger: nullLogger,
      clock: { now: () => now },
      // The longest pauses the jitter allows.
      random: () => 0.999_999,
      sleep: async (ms) => {
        now += ms;
      },
    });
    await expect(client.send(get)).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
    expect(now).toBeLessThanOrEqual(NETWORK_BUDGET_MS);
    expect(NETWORK_BUDGET_MS).toBeLessThan(120_000);
    // 60 s, a pause, then what is left of the budget: the third attempt would start with too little.
    expect(attempts).toBe(2);
  });
});
