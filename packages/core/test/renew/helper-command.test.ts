import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { AcrLoginError } from '../../src/errors.ts';
import { type RunningAgent, serveAgent } from '../../src/renew/agent.ts';
import {
  AGENT_FILE,
  type CachedCredential,
  cacheFile,
  type HelperResult,
  NOT_FOUND_MESSAGE,
  RETRY_AFTER_EXPIRY_MS,
  RETRY_WHILE_VALID_MS,
  type RenewFactory,
  readCached,
  renewAt,
  runCredentialHelper,
  type ServerToken,
  writeCached,
} from '../../src/renew/index.ts';
import {
  HOUR,
  LIFETIME,
  MINUTE,
  PLAN,
  type Plan,
  type RecordingRenewer,
  recordingRenewer,
  serversFor,
  T0,
  type TestClock,
  tempDir,
  testClock,
  USER,
} from './support.ts';

/**
 * The credential helper against a real agent in this process (its socket in a temp folder, the test's clock):
 * the cache files, the protocol and the renewal logic together, as a client meets them.
 */

const CONTOSO = 'contoso.azurecr.io';
const FABRIKAM = 'fabrikam.azurecr.io';

interface Fixture {
  readonly dir: string;
  readonly clock: TestClock;
  readonly renewer: RecordingRenewer;
  readonly agent: RunningAgent;
  run(command: string | undefined, input?: string): Promise<HelperResult>;
  cached(server: string): Promise<CachedCredential | undefined>;
}

const agents: RunningAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.stop('test over')));
});

async function fixture(
  servers: Record<string, ServerToken> = serversFor([CONTOSO, FABRIKAM]),
  options: Parameters<typeof recordingRenewer>[1] & { factory?: RenewFactory<Plan> } = {},
): Promise<Fixture> {
  const dir = await tempDir();
  await mkdir(join(dir, 'cache'));
  for (const [server, token] of Object.entries(servers)) {
    await writeCached(dir, server, { ...token, renewAt: renewAt(token) });
  }
  const clock = testClock();
  const renewer = recordingRenewer(clock, options);
  const endpoint = join(dir, 'agent.sock');
  const token = randomBytes(32).toString('hex');
  await writeFile(join(dir, AGENT_FILE), JSON.stringify({ endpoint, token }));
  const agent = await serveAgent<Plan>({
    config: { version: 1, endpoint, token, dir, plan: PLAN, servers, maxLifetimeMs: 1e12, idleMs: 1e12 },
    clock,
    renewer: options.factory ?? ((plan) => renewer.factory(plan)),
    platform: process.platform,
    checkEveryMs: HOUR,
  });
  agents.push(agent);
  return {
    dir,
    clock,
    renewer,
    agent,
    run: (command, input = '') => runCredentialHelper({ dir, command, input, clock }),
    cached: (server) => readCached(dir, server),
  };
}

function secretOf(result: HelperResult): string {
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const answer = JSON.parse(result.stdout) as { ServerURL: string; Username: string; Secret: string };
  expect(answer.Username).toBe(USER);
  return answer.Secret;
}

describe('when to renew', () => {
  test.each([
    ['ACR refresh token, 3 h 15 min', LIFETIME, 2 * HOUR + 45 * MINUTE],
    ['a 1 h token: its last quarter', HOUR, 45 * MINUTE],
    ['a 20 s test token: its last quarter', 20_000, 15_000],
    ['a token obtained already expired', 0, 0],
  ])('%s', (_name, lifetime, due) => {
    expect(renewAt({ obtainedAt: T0, expiresOn: T0 + lifetime }) - T0).toBe(due);
  });
});

describe('get', () => {
  test('serves the cached token while it is not due, without renewing', async () => {
    const f = await fixture();
    for (const input of [
      CONTOSO,
      `${CONTOSO}\n`,
      `https://${CONTOSO}`,
      'CONTOSO.azurecr.io:443',
      `https://${CONTOSO}/v2/`,
    ]) {
      expect(secretOf(await f.run('get', input))).toBe(`rt-0-${CONTOSO}`);
    }
    f.clock.set(renewAt({ obtainedAt: T0, expiresOn: T0 + LIFETIME }) - 1);
    expect(secretOf(await f.run('get', FABRIKAM))).toBe(`rt-0-${FABRIKAM}`);
    expect(f.renewer.plans).toEqual([]);
  });

  test('echoes the server as the client asked for it', async () => {
    const f = await fixture();
    expect(JSON.parse((await f.run('get', `https://${CONTOSO}\n`)).stdout)).toEqual({
      ServerURL: `https://${CONTOSO}`,
      Username: USER,
      Secret: `rt-0-${CONTOSO}`,
    });
  });

  test('renews a due token once, for every server at once, and then serves the new one', async () => {
    const f = await fixture();
    f.clock.set(T0 + 2 * HOUR + 45 * MINUTE);
    expect(secretOf(await f.run('get', CONTOSO))).toBe(`rt-1-${CONTOSO}`);
    expect(f.renewer.calls).toEqual([CONTOSO, FABRIKAM]);
    expect(f.renewer.plans).toEqual([{ identity: 'app 1234' }]);
    // Both were renewed together (one Entra token in the real renewer): the other server is cached now.
    expect(secretOf(await f.run('get', FABRIKAM))).toBe(`rt-2-${FABRIKAM}`);
    expect(secretOf(await f.run('get', CONTOSO))).toBe(`rt-1-${CONTOSO}`);
    expect(f.renewer.calls).toHaveLength(2);
    // The cache file holds the new token, and when a reader must ask the agent again.
    expect(await f.cached(CONTOSO)).toEqual({
      username: USER,
      password: `rt-1-${CONTOSO}`,
      expiresOn: f.clock.now() + LIFETIME,
      renewAt: f.clock.now() + 2 * HOUR + 45 * MINUTE,
    });
  });

  test('a fresh token is served from its cache file without asking the agent', async () => {
    const f = await fixture();
    // The agent can no longer be found: the answer can only come from the cache file.
    await rm(join(f.dir, AGENT_FILE));
    const result = await f.run('get', CONTOSO);
    expect(secretOf(result)).toBe(`rt-0-${CONTOSO}`);
    expect(result.stderr).toBe('');
  });

  test('renews only the servers that are due, plus the one asked for', async () => {
    const f = await fixture({ ...serversFor([CONTOSO]), ...serversFor([FABRIKAM], T0 + HOUR) });
    f.clock.set(T0 + 2 * HOUR + 45 * MINUTE);
    expect(secretOf(await f.run('get', CONTOSO))).toBe(`rt-1-${CONTOSO}`);
    expect(f.renewer.calls).toEqual([CONTOSO]);
    expect(secretOf(await f.run('get', FABRIKAM))).toBe(`rt-0-${FABRIKAM}`);
  });

  test('keeps renewing for as long as the job runs', async () => {
    const f = await fixture(serversFor([CONTOSO]));
    const seen = new Set<string>();
    for (let quarter = 0; quarter < 48; quarter++) {
      f.clock.set(T0 + quarter * 15 * MINUTE);
      seen.add(secretOf(await f.run('get', CONTOSO)));
    }
    // 12 hours asked every 15 minutes; a 3 h 15 min token renewed 30 minutes early: at 2:45, 5:30, 8:15, 11:00.
    expect(f.renewer.calls).toHaveLength(4);
    expect(seen.size).toBe(5);
  });

  test('20 parallel gets of an expired token make exactly one renewal', async () => {
    const f = await fixture(serversFor([CONTOSO]));
    f.clock.set(T0 + LIFETIME + MINUTE);
    const results = await Promise.all(Array.from({ length: 20 }, () => f.run('get', CONTOSO)));
    expect(new Set(results.map(secretOf))).toEqual(new Set([`rt-1-${CONTOSO}`]));
    expect(f.renewer.calls).toEqual([CONTOSO]);
    expect(f.renewer.plans).toHaveLength(1);
  });

  test.each(['registry.example.com', 'contoso.azurecr.io.evil.example', 'https://index.docker.io/v1/', ''])(
    'refuses a server it did not log in to: %j',
    async (server) => {
      const f = await fixture();
      f.clock.set(T0 + LIFETIME + MINUTE);
      const result = await f.run('get', server);
      expect(result).toMatchObject({ code: 1, stdout: `${NOT_FOUND_MESSAGE}\n` });
      expect(f.renewer.calls).toEqual([]);
    },
  );

  test('once the post step stopped the agent, it has nothing for anyone: its cache went with it', async () => {
    const f = await fixture();
    await f.agent.stop('asked to stop');
    expect(await f.cached(CONTOSO)).toBeUndefined();
    const result = await f.run('get', CONTOSO);
    expect(result).toMatchObject({ code: 1, stdout: `${NOT_FOUND_MESSAGE}\n` });
    expect(result.stderr).toContain('is not running');
    expect(result.stderr).toContain('post step stopped it');
  });

  // Each row: how the agent file fails to name an agent (undefined: it is gone), as the helper finds it.
  test.each([
    ['gone', undefined],
    ['not JSON', '{"endpoint":'],
    ['null', 'null'],
    ['without its token', JSON.stringify({ endpoint: 'agent.sock' })],
    ['with an endpoint that is not a string', JSON.stringify({ endpoint: 1, token: 'f'.repeat(64) })],
  ])(
    'without its agent (its agent file %s), a due but valid cached token is served with a warning',
    async (_name, text) => {
      const f = await fixture(serversFor([CONTOSO]));
      const token = await f.cached(CONTOSO);
      await (text === undefined ? rm(join(f.dir, AGENT_FILE)) : writeFile(join(f.dir, AGENT_FILE), text));
      f.clock.set(T0 + LIFETIME - 1);
      const result = await f.run('get', CONTOSO);
      expect(secretOf(result)).toBe(token?.password);
      expect(result.stderr).toContain('is not running (its agent file is gone)');
      expect(result.stderr).toContain(`stay valid until ${new Date(T0 + LIFETIME).toISOString()}`);
    },
  );

  // Each row: what something other than the agent answers at the agent file's endpoint.
  test.each([
    ['not JSON', 'ok'],
    ['null', 'null'],
    ['a number', '0'],
    ['a code that is not a number', '{"code":"0","stdout":"{}"}'],
  ])(
    "an answer that is not the agent's (%s) counts as no agent: the valid token is served with a warning",
    async (_name, answer) => {
      const f = await fixture(serversFor([CONTOSO]));
      const token = await f.cached(CONTOSO);
      const endpoint = join(f.dir, 'other.sock');
      const other = createServer((socket) => socket.once('data', () => socket.end(answer)));
      await new Promise<void>((resolve) => other.listen(endpoint, resolve));
      try {
        await writeFile(join(f.dir, AGENT_FILE), JSON.stringify({ endpoint, token: 'f'.repeat(64) }));
        f.clock.set(T0 + LIFETIME - 1);
        const result = await f.run('get', CONTOSO);
        expect(secretOf(result)).toBe(token?.password);
        expect(result.stderr).toContain('is not running (the answer was not a renewal agent response)');
      } finally {
        await new Promise((resolve) => other.close(resolve));
      }
    },
  );

  // Each row: a cache file the helper cannot take a credential from; were it taken, `rt-broken` would be served.
  const fresh = { username: 'x', password: 'rt-broken', expiresOn: T0 + LIFETIME, renewAt: T0 + LIFETIME };
  test.each([
    ['not JSON', '{"username":"x","password":"rt-broken"'],
    ['null', 'null'],
    ['a string', '"rt-broken"'],
    ['an array', JSON.stringify(Object.values(fresh))],
    ['a field missing', JSON.stringify({ ...fresh, renewAt: undefined })],
    ['a field of another type', JSON.stringify({ ...fresh, expiresOn: String(fresh.expiresOn) })],
  ])('a corrupt cache file (%s) is passed over: the agent answers', async (_name, text) => {
    const f = await fixture();
    await writeFile(cacheFile(f.dir, CONTOSO), text);
    expect(secretOf(await f.run('get', CONTOSO))).toBe(`rt-0-${CONTOSO}`);
    expect(f.renewer.calls).toEqual([]);
  });

  test('an agent file naming the wrong token gets a refusal, never a credential', async () => {
    const f = await fixture();
    const file = JSON.parse(await readFile(join(f.dir, AGENT_FILE), 'utf8'));
    await writeFile(join(f.dir, AGENT_FILE), JSON.stringify({ ...file, token: 'f'.repeat(64) }));
    f.clock.set(T0 + LIFETIME);
    const result = await f.run('get', CONTOSO);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused a request without its token');
    expect(result.stdout).not.toContain('rt-');
    expect(f.renewer.calls).toEqual([]);
  });
});

describe('when renewal fails', () => {
  const denied = () =>
    new AcrLoginError(
      'ENTRA_AUTH_FAILED',
      'AADSTS7000215: Invalid client secret provided. Create a new secret and update "client-secret".',
    );

  test('a valid token keeps being served, with a warning naming the cause, and retried after a pause', async () => {
    let failing = true;
    const f = await fixture(serversFor([CONTOSO]), { fail: () => (failing ? denied() : undefined) });
    const due = T0 + 2 * HOUR + 45 * MINUTE;
    f.clock.set(due);
    const first = await f.run('get', CONTOSO);
    expect(secretOf(first)).toBe(`rt-0-${CONTOSO}`);
    expect(first.stderr).toContain('AADSTS7000215');
    expect(first.stderr).toContain(new Date(T0 + LIFETIME).toISOString());
    expect(first.stderr).not.toContain(`rt-0-${CONTOSO}`);

    // Within the pause: served without asking Entra again.
    f.clock.set(due + RETRY_WHILE_VALID_MS - 1);
    expect(secretOf(await f.run('get', CONTOSO))).toBe(`rt-0-${CONTOSO}`);
    expect(f.renewer.calls).toHaveLength(1);

    // After it: tried again, and a success clears the failure.
    failing = false;
    f.clock.set(due + RETRY_WHILE_VALID_MS);
    const renewed = await f.run('get', CONTOSO);
    expect(secretOf(renewed)).toBe(`rt-2-${CONTOSO}`);
    expect(renewed.stderr).toBe('');
    expect(f.renewer.calls).toHaveLength(2);
    // No warning once it succeeded.
    expect((await f.run('get', CONTOSO)).stderr).toBe('');
    // Each round closed what it opened, the failed one too.
    expect(f.renewer.closed.count).toBe(2);
  });

  test('after expiry the client gets an error naming the cause and the fix, on stdout and stderr', async () => {
    const f = await fixture(serversFor([CONTOSO]), { fail: denied });
    f.clock.set(T0 + LIFETIME);
    const result = await f.run('get', CONTOSO);
    expect(result.code).toBe(1);
    const message = `The credentials acr-login wrote for "${CONTOSO}" expired at ${new Date(T0 + LIFETIME).toISOString()} and could not be renewed: AADSTS7000215: Invalid client secret provided. Create a new secret and update "client-secret".`;
    expect(result.stdout).toBe(`${message}\n`);
    expect(result.stderr).toBe(`acr-login credential helper: ${message}\n`);
    expect(result.stdout + result.stderr).not.toContain('rt-0');
  });

  test('20 parallel gets after expiry share one failed attempt', async () => {
    const f = await fixture(serversFor([CONTOSO]), { fail: denied });
    f.clock.set(T0 + LIFETIME + MINUTE);
    const results = await Promise.all(Array.from({ length: 20 }, () => f.run('get', CONTOSO)));
    expect(results.every((result) => result.code === 1 && result.stdout.includes('AADSTS7000215'))).toBe(
      true,
    );
    expect(f.renewer.calls).toEqual([CONTOSO]);
    expect(f.renewer.closed.count).toBe(1);
  });

  test('after expiry, an attempt is repeated once the short pause is over', async () => {
    const f = await fixture(serversFor([CONTOSO]), { fail: denied });
    const expired = T0 + LIFETIME + MINUTE;
    f.clock.set(expired);
    await f.run('get', CONTOSO);
    f.clock.set(expired + RETRY_AFTER_EXPIRY_MS - 1);
    expect((await f.run('get', CONTOSO)).code).toBe(1);
    expect(f.renewer.calls).toHaveLength(1);
    f.clock.set(expired + RETRY_AFTER_EXPIRY_MS);
    expect((await f.run('get', CONTOSO)).code).toBe(1);
    expect(f.renewer.calls).toHaveLength(2);
  });

  test('one failing registry does not stop the others', async () => {
    const f = await fixture(serversFor([CONTOSO, FABRIKAM]), {
      fail: (server) => (server === FABRIKAM ? denied() : undefined),
    });
    f.clock.set(T0 + LIFETIME + MINUTE);
    expect(secretOf(await f.run('get', CONTOSO))).toBe(`rt-1-${CONTOSO}`);
    expect((await f.run('get', FABRIKAM)).stdout).toContain('AADSTS7000215');
  });

  test('a renewal function that cannot even be built is reported the same way', async () => {
    const f = await fixture(serversFor([CONTOSO]), {
      factory: () => {
        throw new AcrLoginError('OIDC_UNAVAILABLE', 'ACTIONS_ID_TOKEN_REQUEST_URL is not set.');
      },
    });
    f.clock.set(T0 + LIFETIME);
    const result = await f.run('get', CONTOSO);
    expect(result).toMatchObject({ code: 1 });
    expect(result.stdout).toContain('ACTIONS_ID_TOKEN_REQUEST_URL is not set.');
  });
});

describe('the other commands', () => {
  test('list names every server with its user', async () => {
    const f = await fixture();
    const result = await f.run('list', 'unused');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ [CONTOSO]: USER, [FABRIKAM]: USER });
  });

  test.each([
    ['store', JSON.stringify({ ServerURL: CONTOSO, Username: 'someone', Secret: 'other' })],
    ['erase', CONTOSO],
  ])('%s is accepted and changes nothing', async (command, input) => {
    const f = await fixture();
    const before = await readFile(cacheFile(f.dir, CONTOSO), 'utf8');
    expect(await f.run(command, input)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await readFile(cacheFile(f.dir, CONTOSO), 'utf8')).toBe(before);
  });

  test.each([undefined, 'version', 'GET'])('an unknown command %j fails', async (command) => {
    const f = await fixture();
    const result = await f.run(command);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('get, store, erase and list');
  });
});

describe('the files', () => {
  // Windows has no POSIX mode bits, nor unix sockets: a file there inherits the ACL of its folder.
  test.skipIf(process.platform === 'win32')(
    'the cache file stays 0600 through renewals; the socket is 0600',
    async () => {
      const f = await fixture(serversFor([CONTOSO]));
      expect((await stat(cacheFile(f.dir, CONTOSO))).mode & 0o777).toBe(0o600);
      expect((await stat(join(f.dir, 'agent.sock'))).mode & 0o777).toBe(0o600);
      f.clock.set(T0 + LIFETIME);
      await f.run('get', CONTOSO);
      expect((await stat(cacheFile(f.dir, CONTOSO))).mode & 0o777).toBe(0o600);
      expect(f.renewer.calls).toHaveLength(1);
    },
  );
});
