import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { LoginResult } from '../../src/login-result.ts';
import type { LoginPlan } from '../../src/plan/login-plan.ts';
import { planLogin } from '../../src/plan/plan.ts';
import { processAlive } from '../../src/renew/agent.ts';
import { readCached } from '../../src/renew/index.ts';
import { notRenewable } from '../../src/renew/renewable.ts';
import { checkRenewalAgent, startRenewal, stopRenewal } from '../../src/renew/setup.ts';
import type { LoginInputs } from '../../src/types.ts';
import { filesHolding, SOURCE_BUNDLE, T0, tempDir, USER, withTsx } from './support.ts';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '00000000-0000-4000-8000-000000001001';
const SECRET = 'sp-secret-value-kept-for-renewal';
const EXPIRES = new Date(T0 + 11_700_000);

function plan(inputs: Partial<LoginInputs>, env: Record<string, string>): LoginPlan {
  return planLogin({ registry: 'contoso', ...inputs }, { oidcAvailable: true, env });
}

function resultFor(p: LoginPlan): LoginResult {
  return {
    credentials: p.registries.map((registry) => ({
      loginServer: registry.loginServer,
      username: USER,
      password: `rt-${registry.loginServer}`,
      expiresOn: EXPIRES,
      authType: p.authType,
      identity: 'the app',
    })),
    dockerConfig: undefined,
    access: [],
    files: {},
    state: { version: 1, entries: [] },
  };
}

/** startRenewal as a step would call it, at T0, with core's helper entry from source as the bundle. */
function start(p: LoginPlan, result: LoginResult, tempDir: string, env: Record<string, string>) {
  return startRenewal({
    plan: p,
    result,
    tempDir,
    node: process.execPath,
    bundle: SOURCE_BUNDLE,
    platform: process.platform,
    env: withTsx(env),
    clock: { now: () => T0 },
  });
}

describe('what can be renewed', () => {
  test.each([
    [{ clientId: CLIENT, tenantId: TENANT, clientSecret: SECRET }, undefined],
    [{ clientId: CLIENT, tenantId: TENANT }, undefined],
    [
      { username: 'contoso', password: 'admin-password' },
      'a registry password does not expire on a schedule acr-login controls',
    ],
    [{ authType: 'anonymous' }, 'anonymous pulls need no credentials'],
  ] as const)('%j -> %j', (inputs, reason) => {
    expect(notRenewable(plan(inputs, { HOME: '/home/runner' }))).toBe(reason);
  });
});

describe('startRenewal and stopRenewal', () => {
  // Windows has no POSIX mode bits nor unix sockets: the pipe and ACLs are covered with the platform injected.
  test.skipIf(process.platform === 'win32')(
    'keep the secret in the agent only, the tokens in 0600 cache files, route every client file, and remove it all again',
    async () => {
      const dir = await tempDir();
      const env = {
        HOME: join(dir, 'home'),
        DOCKER_CONFIG: join(dir, 'docker'),
        REGISTRY_AUTH_FILE: join(dir, 'containers', 'auth.json'),
        HELM_REGISTRY_CONFIG: join(dir, 'helm', 'registry.json'),
        // As a runner passes a step's inputs: the agent must not inherit them.
        'INPUT_CLIENT-SECRET': SECRET,
        ACRLOGIN_COPY: `copied ${SECRET}`,
      };
      const temp = join(dir, 'runner-temp');
      const p = plan(
        {
          registry: 'contoso,fabrikam',
          clientId: CLIENT,
          tenantId: TENANT,
          clientSecret: SECRET,
          clients: 'all',
        },
        env,
      );
      const record = await startRenewal({
        plan: p,
        result: resultFor(p),
        tempDir: temp,
        node: process.execPath,
        bundle: SOURCE_BUNDLE,
        platform: process.platform,
        env: withTsx(env),
        clock: { now: () => T0 },
        githubOidc: { requestUrl: 'https://token.example/?api-version=2.0', requestToken: 'request-token' },
        watchPid: process.pid,
      });
      const servers = ['contoso.azurecr.io', 'fabrikam.azurecr.io'];
      expect(record).toMatchObject({
        dir: join(temp, record.helper),
        binDir: join(temp, record.helper, 'bin'),
      });
      expect(record.expiresOn).toBe(EXPIRES.toISOString());
      // A 3 h 15 min token: renewed 30 minutes before it expires.
      expect(record.renewsAt).toBe(new Date(EXPIRES.getTime() - 1_800_000).toISOString());
      expect(JSON.stringify(record)).not.toContain(SECRET);
      expect(processAlive(record.agentPid)).toBe(true);

      // On disk: the registry credentials, the agent file, the socket, the shim; never the secret.
      expect(await filesHolding(dir, [SECRET, 'request-token'])).toEqual([]);
      for (const server of servers) {
        expect(await readCached(record.dir, server)).toEqual({
          username: USER,
          password: `rt-${server}`,
          expiresOn: EXPIRES.getTime(),
          renewAt: EXPIRES.getTime() - 1_800_000,
        });
      }
      expect((await readdir(record.dir)).sort()).toEqual(['agent.json', 'agent.sock', 'bin', 'cache']);
      for (const name of ['agent.json', 'agent.sock']) {
        expect((await stat(join(record.dir, name))).mode & 0o777, name).toBe(0o600);
      }
      // Nor in what other processes of the user can read of the agent: its arguments and environment.
      if (process.platform === 'linux') {
        for (const part of ['cmdline', 'environ']) {
          const bytes = await readFile(`/proc/${record.agentPid}/${part}`);
          expect(bytes.includes(SECRET), part).toBe(false);
          expect(bytes.includes('request-token'), part).toBe(false);
        }
        expect((await readFile(`/proc/${record.agentPid}/environ`)).includes('DOCKER_CONFIG=')).toBe(true);
      }

      const files = [
        join(env.DOCKER_CONFIG, 'config.json'),
        env.REGISTRY_AUTH_FILE,
        env.HELM_REGISTRY_CONFIG,
      ];
      for (const file of files) {
        expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
          credHelpers: Object.fromEntries(servers.map((s) => [s, record.helper])),
        });
      }

      expect(await stopRenewal(JSON.parse(JSON.stringify(record)))).toEqual({
        agent: 'stopped',
        removed: 6,
        restored: 0,
        skipped: [],
      });
      expect(processAlive(record.agentPid)).toBe(false);
      expect(await readdir(temp)).toEqual([]);
      for (const file of files) await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
      // A second post step (a retried one) finds nothing to stop.
      expect((await stopRenewal(record)).agent).toBe('not running');
    },
  );

  test('a bundle that cannot run the agent: renew is refused and nothing is left', async () => {
    const dir = await tempDir();
    const env = { HOME: join(dir, 'home'), DOCKER_CONFIG: join(dir, 'docker') };
    const temp = join(dir, 'runner-temp');
    const p = plan({ clientId: CLIENT, tenantId: TENANT, clientSecret: SECRET }, env);
    const started = startRenewal({
      plan: p,
      result: resultFor(p),
      tempDir: temp,
      node: process.execPath,
      bundle: join(dir, 'missing.js'),
      platform: process.platform,
      env,
      clock: { now: () => T0 },
    });
    await expect(started).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringMatching(
        /keeps the identity's secret in a renewal agent process.*exited \(code 1\)/,
      ),
    });
    expect(await readdir(temp)).toEqual([]);
    await expect(stat(join(env.DOCKER_CONFIG, 'config.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('a temp dir too deep for a unix socket is refused before the login', () => {
    expect(() => checkRenewalAgent(`/${'d'.repeat(80)}`, 'linux')).toThrow(
      /over the 103 a unix socket allows/,
    );
    expect(() => checkRenewalAgent(`/${'d'.repeat(60)}`, 'linux')).not.toThrow();
    // A named pipe has no such limit.
    expect(() => checkRenewalAgent(`C:\\${'d'.repeat(200)}`, 'win32')).not.toThrow();
  });

  test.each([
    ['a 20 s token is renewed after three quarters of its life', T0 + 20_000, T0 + 15_000],
    ['a token without an expiry time cannot be renewed: nothing is written', undefined, undefined],
  ])('%s', async (_name, expiresOn, renewsAt) => {
    const dir = await tempDir();
    const env = { HOME: join(dir, 'home'), DOCKER_CONFIG: join(dir, 'docker') };
    const temp = join(dir, 'runner-temp');
    const p = plan({ clientId: CLIENT, tenantId: TENANT, clientSecret: SECRET }, env);
    const base = resultFor(p);
    const result = {
      ...base,
      credentials: base.credentials.map((c) => ({
        ...c,
        expiresOn: expiresOn === undefined ? undefined : new Date(expiresOn),
      })),
    };
    const started = start(p, result, temp, env);
    if (renewsAt === undefined) {
      await expect(started).rejects.toMatchObject({
        code: 'REGISTRY_PROTOCOL',
        message: expect.stringContaining('carry no expiry time'),
      });
      await expect(readdir(temp)).rejects.toMatchObject({ code: 'ENOENT' });
    } else {
      const record = await started;
      expect(record.renewsAt).toBe(new Date(renewsAt).toISOString());
      await stopRenewal(record);
    }
  });

  test('a corrupt client file fails the set-up and leaves no files behind', async () => {
    const dir = await tempDir();
    const env = { HOME: join(dir, 'home'), DOCKER_CONFIG: join(dir, 'docker') };
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(env.DOCKER_CONFIG);
    await writeFile(join(env.DOCKER_CONFIG, 'config.json'), '{"auths": {');
    const temp = join(dir, 'runner-temp');
    const p = plan({ clientId: CLIENT, tenantId: TENANT, clientSecret: SECRET }, env);
    await expect(start(p, resultFor(p), temp, env)).rejects.toMatchObject({ code: 'CONFIG_CORRUPT' });
    expect(await readdir(temp)).toEqual([]);
  });
});
