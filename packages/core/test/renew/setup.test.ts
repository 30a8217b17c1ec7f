import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { LoginResult } from '../../src/login-result.ts';
import type { LoginPlan } from '../../src/plan/login-plan.ts';
import { planLogin } from '../../src/plan/plan.ts';
import { readRenewState } from '../../src/renew/index.ts';
import type { RenewalPlan } from '../../src/renew/renewer.ts';
import { notRenewable, startRenewal, stopRenewal } from '../../src/renew/setup.ts';
import type { LoginInputs } from '../../src/types.ts';
import { T0, tempDir, USER } from './support.ts';

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

/** startRenewal as a Linux step would call it, at T0, with the shim pointing at a stand-in bundle. */
function start(p: LoginPlan, result: LoginResult, tempDir: string, env: Record<string, string>) {
  return startRenewal({
    plan: p,
    result,
    tempDir,
    node: '/usr/bin/node',
    bundle: '/b.js',
    platform: 'linux',
    env,
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
  test('keep the plan and tokens in a 0600 state, route every client file, and remove it all again', async () => {
    const dir = await tempDir();
    const env = {
      HOME: join(dir, 'home'),
      DOCKER_CONFIG: join(dir, 'docker'),
      REGISTRY_AUTH_FILE: join(dir, 'containers', 'auth.json'),
      HELM_REGISTRY_CONFIG: join(dir, 'helm', 'registry.json'),
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
      node: '/usr/bin/node',
      bundle: '/action/dist/index.js',
      platform: 'linux',
      env,
      clock: { now: () => T0 },
      githubOidc: { requestUrl: 'https://token.example/?api-version=2.0', requestToken: 'request-token' },
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

    const stateFile = join(record.dir, 'state.json');
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);
    const state = await readRenewState<RenewalPlan>(stateFile);
    expect(state?.servers).toEqual(
      Object.fromEntries(
        servers.map((s) => [
          s,
          { username: USER, password: `rt-${s}`, expiresOn: EXPIRES.getTime(), obtainedAt: T0 },
        ]),
      ),
    );
    expect(state?.plan.cloud.name).toBe('AzureCloud');
    expect(state?.plan.githubOidc).toEqual({
      requestUrl: 'https://token.example/?api-version=2.0',
      requestToken: 'request-token',
    });
    expect(state?.plan.registries.map((r) => [r.loginServer, r.audience, r.identity.type])).toEqual(
      servers.map((s) => [s, 'acr', 'service-principal']),
    );

    const files = [join(env.DOCKER_CONFIG, 'config.json'), env.REGISTRY_AUTH_FILE, env.HELM_REGISTRY_CONFIG];
    for (const file of files) {
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
        credHelpers: Object.fromEntries(servers.map((s) => [s, record.helper])),
      });
    }

    expect(await stopRenewal(JSON.parse(JSON.stringify(record)))).toEqual({
      removed: 6,
      restored: 0,
      skipped: [],
    });
    expect(await readdir(temp)).toEqual([]);
    for (const file of files) await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
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

  test('a corrupt client file fails the set-up and leaves no state behind', async () => {
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
