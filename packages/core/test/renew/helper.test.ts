import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { AcrLoginError } from '../../src/errors.ts';
import {
  type HelperResult,
  NOT_FOUND_MESSAGE,
  RETRY_AFTER_EXPIRY_MS,
  RETRY_WHILE_VALID_MS,
  type RenewState,
  readRenewState,
  renewAt,
  runCredentialHelper,
  writeRenewState,
} from '../../src/renew/index.ts';
import {
  HOUR,
  LIFETIME,
  MINUTE,
  type Plan,
  type RecordingRenewer,
  recordingRenewer,
  stateFor,
  T0,
  type TestClock,
  tempDir,
  testClock,
  USER,
} from './support.ts';

const CONTOSO = 'contoso.azurecr.io';
const FABRIKAM = 'fabrikam.azurecr.io';

interface Fixture {
  readonly stateFile: string;
  readonly clock: TestClock;
  readonly renewer: RecordingRenewer;
  run(command: string | undefined, input?: string): Promise<HelperResult>;
  state(): Promise<RenewState<Plan>>;
}

async function fixture(
  state: RenewState<Plan> = stateFor([CONTOSO, FABRIKAM]),
  options: Parameters<typeof recordingRenewer>[1] = {},
): Promise<Fixture> {
  const stateFile = join(await tempDir(), 'state.json');
  await writeRenewState(stateFile, state);
  const clock = testClock();
  const renewer = recordingRenewer(clock, options);
  return {
    stateFile,
    clock,
    renewer,
    run: (command, input = '') =>
      runCredentialHelper({
        stateFile,
        command,
        input,
        clock,
        renewer: (plan: Plan) => renewer.factory(plan),
      }),
    state: async () => (await readRenewState<Plan>(stateFile)) as RenewState<Plan>,
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
    const state = await f.state();
    expect(state.servers[CONTOSO]).toEqual({
      username: USER,
      password: `rt-1-${CONTOSO}`,
      obtainedAt: f.clock.now(),
      expiresOn: f.clock.now() + LIFETIME,
    });
  });

  test('renews only the servers that are due, plus the one asked for', async () => {
    const early = stateFor([CONTOSO]);
    const late = stateFor([FABRIKAM], T0 + HOUR);
    const f = await fixture({ ...early, servers: { ...early.servers, ...late.servers } });
    f.clock.set(T0 + 2 * HOUR + 45 * MINUTE);
    expect(secretOf(await f.run('get', CONTOSO))).toBe(`rt-1-${CONTOSO}`);
    expect(f.renewer.calls).toEqual([CONTOSO]);
    expect(secretOf(await f.run('get', FABRIKAM))).toBe(`rt-0-${FABRIKAM}`);
  });

  test('keeps renewing for as long as the job runs', async () => {
    const f = await fixture(stateFor([CONTOSO]));
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
    const f = await fixture(stateFor([CONTOSO]));
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

  test('once the post step removed the state, it has nothing for anyone', async () => {
    const f = await fixture();
    await writeFile(f.stateFile, '');
    const { rm } = await import('node:fs/promises');
    await rm(f.stateFile);
    const result = await f.run('get', CONTOSO);
    expect(result).toMatchObject({ code: 1, stdout: `${NOT_FOUND_MESSAGE}\n` });
    expect(result.stderr).toContain('post step removed it');
  });

  test('a corrupt state file is an error that names the file and never quotes it', async () => {
    const f = await fixture();
    await writeFile(f.stateFile, '{"version":1,"servers":{"contoso.azurecr.io":{"password":"rt-secret"');
    const result = await f.run('get', CONTOSO);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(f.stateFile);
    expect(result.stdout).toContain('run the login step again');
    expect(result.stdout + result.stderr).not.toContain('rt-secret');
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
    const f = await fixture(stateFor([CONTOSO]), { fail: () => (failing ? denied() : undefined) });
    const due = T0 + 2 * HOUR + 45 * MINUTE;
    f.clock.set(due);
    const first = await f.run('get', CONTOSO);
    expect(secretOf(first)).toBe(`rt-0-${CONTOSO}`);
    expect(first.stderr).toContain('AADSTS7000215');
    expect(first.stderr).toContain(new Date(T0 + LIFETIME).toISOString());
    expect(first.stderr).not.toContain(`rt-0-${CONTOSO}`);
    expect((await f.state()).servers[CONTOSO]?.failure).toMatchObject({ at: due, code: 'ENTRA_AUTH_FAILED' });

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
    expect((await f.state()).servers[CONTOSO]?.failure).toBeUndefined();
  });

  test('after expiry the client gets an error naming the cause and the fix, on stdout and stderr', async () => {
    const f = await fixture(stateFor([CONTOSO]), { fail: denied });
    f.clock.set(T0 + LIFETIME);
    const result = await f.run('get', CONTOSO);
    expect(result.code).toBe(1);
    const message = `The credentials acr-login wrote for "${CONTOSO}" expired at ${new Date(T0 + LIFETIME).toISOString()} and could not be renewed: AADSTS7000215: Invalid client secret provided. Create a new secret and update "client-secret".`;
    expect(result.stdout).toBe(`${message}\n`);
    expect(result.stderr).toBe(`acr-login credential helper: ${message}\n`);
    expect(result.stdout + result.stderr).not.toContain('rt-0');
  });

  test('20 parallel gets after expiry share one failed attempt', async () => {
    const f = await fixture(stateFor([CONTOSO]), { fail: denied });
    f.clock.set(T0 + LIFETIME + MINUTE);
    const results = await Promise.all(Array.from({ length: 20 }, () => f.run('get', CONTOSO)));
    expect(results.every((result) => result.code === 1 && result.stdout.includes('AADSTS7000215'))).toBe(
      true,
    );
    expect(f.renewer.calls).toEqual([CONTOSO]);
  });

  test('after expiry, an attempt is repeated once the short pause is over', async () => {
    const f = await fixture(stateFor([CONTOSO]), { fail: denied });
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
    const f = await fixture(stateFor([CONTOSO, FABRIKAM]), {
      fail: (server) => (server === FABRIKAM ? denied() : undefined),
    });
    f.clock.set(T0 + LIFETIME + MINUTE);
    expect(secretOf(await f.run('get', CONTOSO))).toBe(`rt-1-${CONTOSO}`);
    expect((await f.run('get', FABRIKAM)).stdout).toContain('AADSTS7000215');
  });

  test('a renewal function that cannot even be built is reported the same way', async () => {
    const f = await fixture(stateFor([CONTOSO]));
    f.clock.set(T0 + LIFETIME);
    const result = await runCredentialHelper({
      stateFile: f.stateFile,
      command: 'get',
      input: CONTOSO,
      clock: f.clock,
      renewer: () => {
        throw new AcrLoginError('OIDC_UNAVAILABLE', 'ACTIONS_ID_TOKEN_REQUEST_URL is not set.');
      },
    });
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
    const before = await readFile(f.stateFile, 'utf8');
    expect(await f.run(command, input)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await readFile(f.stateFile, 'utf8')).toBe(before);
  });

  test.each([undefined, 'version', 'GET'])('an unknown command %j fails', async (command) => {
    const f = await fixture();
    const result = await f.run(command);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('get, store, erase and list');
  });
});

describe('the state file', () => {
  // Windows has no POSIX mode bits: a file there inherits the ACL of its folder.
  test.skipIf(process.platform === 'win32')('stays 0600 through renewals', async () => {
    const f = await fixture(stateFor([CONTOSO]));
    expect((await stat(f.stateFile)).mode & 0o777).toBe(0o600);
    f.clock.set(T0 + LIFETIME);
    await f.run('get', CONTOSO);
    expect((await stat(f.stateFile)).mode & 0o777).toBe(0o600);
    expect(f.renewer.calls).toHaveLength(1);
  });
});
