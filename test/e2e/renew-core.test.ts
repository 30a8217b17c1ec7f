import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type LoginInputs,
  type LoginPlan,
  type LoginResult,
  login,
  logout,
  planLogin,
} from '../../packages/core/src/index.ts';
import { processAlive } from '../../packages/core/src/renew/agent.ts';
import { readCached } from '../../packages/core/src/renew/index.ts';
import { createRenew, type RenewalPlan } from '../../packages/core/src/renew/renewer.ts';
import { type RenewalRecord, startRenewal, stopRenewal } from '../../packages/core/src/renew/setup.ts';
import {
  type Emulator,
  HELLO_REPOSITORY,
  REFRESH_TOKEN_USERNAME,
  REGISTRIES,
  startEmulator,
} from '../emulator/index.ts';
import { expectToolsInCi, run, skopeoInspect, skopeoPush } from '../support/clients.ts';
import {
  allExpiredAt,
  buildahPull,
  bundleHelper,
  LIFETIMES,
  parallelGets,
  pathWith,
  podmanPull,
  sleepUntil,
} from '../support/renew.ts';

/**
 * Core's renewal with real clients: log in, set renewal up, let the refresh token (20 s here) and the GitHub
 * OIDC token (10 s) expire, then use docker, skopeo, podman and buildah. The helper runs behind the real
 * shim, from a bundle of core's helper entry that stands in for an adapter's bundle.
 */

const hello = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`;
let emulator: Emulator;
let bundle: string;

interface Login {
  readonly home: string;
  readonly dockerConfig: string;
  readonly authFile: string;
  readonly env: Record<string, string>;
  readonly plan: LoginPlan;
  readonly result: LoginResult;
  readonly renewal?: RenewalRecord;
  /** The environment of a later step: the helper's folder on PATH, then only the given tools. */
  clientEnv(tools?: readonly string[]): Promise<Record<string, string>>;
}

async function logIn(
  inputs: LoginInputs,
  renew: boolean,
  before?: (home: string) => Promise<void>,
  extraEnv: Record<string, string> = {},
): Promise<Login> {
  const home = await mkdtemp(join(emulator.dir, 'renew-'));
  const temp = join(home, 'runner-temp');
  await mkdir(temp);
  await before?.(home);
  const env = {
    HOME: home,
    DOCKER_CONFIG: join(home, '.docker'),
    REGISTRY_AUTH_FILE: join(home, 'containers-auth.json'),
    ...extraEnv,
  };
  const plan = planLogin({ clients: 'docker,podman', ...inputs }, { oidcAvailable: true, env });
  const dispatcher = emulator.dispatcher();
  const oidcToken = async (audience: string) => {
    const res = await request(`${emulator.github.requestUrl}&audience=${encodeURIComponent(audience)}`, {
      headers: { authorization: `Bearer ${emulator.github.requestToken}` },
    });
    return ((await res.body.json()) as { value: string }).value;
  };
  const result = await login(plan, { logger: silent, env, dispatcher, oidcToken });
  await dispatcher.close();
  const renewal = renew
    ? await startRenewal({
        plan,
        result,
        tempDir: temp,
        node: process.execPath,
        bundle,
        platform: process.platform,
        // The agent renews: it reaches the emulator through its proxy, trusting its CA.
        env: emulator.env(env),
        clock: { now: () => Date.now() },
        githubOidc: emulator.github,
        watchPid: process.pid,
      })
    : undefined;
  return {
    home,
    dockerConfig: join(env.DOCKER_CONFIG, 'config.json'),
    authFile: env.REGISTRY_AUTH_FILE,
    env,
    plan,
    result,
    ...(renewal === undefined ? {} : { renewal }),
    clientEnv: async (tools = ['docker']) =>
      emulator.env({ ...env, PATH: await pathWith(renewal === undefined ? [] : [renewal.binDir], tools) }),
  };
}

const silent = { debug() {}, info() {}, warning() {}, mask() {} };

/** Runs `docker-credential-<helper> get` for `server` the way a client does. */
function helperGet(login: Login, server: string, env: Record<string, string>) {
  return run(`docker-credential-${login.renewal?.helper}`, ['get'], { env, stdin: server });
}

const app = (name: 'githubApp' | 'spSecret' | 'workloadApp') => emulator.scenario.apps[name];
let oidc: Login;
let twoRegistries: Login;
let control: Login;
let failing: Login;
let userConfig: string;
/** When every token written at login, and the OIDC token used for it, has expired. */
let allExpired: number;

beforeAll(async () => {
  expectToolsInCi(['skopeo', 'docker', 'podman', 'buildah']);
  bundle = await bundleHelper(join(tmpdir(), `acr-login-helper-${process.pid}`));
  emulator = await startEmulator({
    extraRegistries: 1,
    lifetimes: { refreshToken: LIFETIMES.refreshToken, githubOidc: LIFETIMES.oidc },
  });
  const tenantId = emulator.scenario.tenantId;
  // A user's own Docker config: an auths entry for the registry and a helper for another one.
  userConfig = `${JSON.stringify(
    { auths: { [REGISTRIES.contoso]: { auth: 'dXNlcjpvbGQ=' } }, credHelpers: { 'gcr.io': 'gcloud' } },
    null,
    2,
  )}\n`;
  [oidc, twoRegistries, control, failing] = await Promise.all([
    logIn({ registry: 'contoso', clientId: app('githubApp').clientId, tenantId }, true, async (home) => {
      await mkdir(join(home, '.docker'));
      await writeFile(join(home, '.docker', 'config.json'), userConfig);
    }),
    logIn(
      {
        registry: `contoso,${emulator.scenario.extraRegistries[0]}`,
        clientId: app('spSecret').clientId,
        tenantId,
        clientSecret: app('spSecret').secret ?? '',
      },
      true,
    ),
    logIn(
      {
        registry: 'contoso',
        clientId: app('spSecret').clientId,
        tenantId,
        clientSecret: app('spSecret').secret ?? '',
      },
      false,
    ),
    logIn({ registry: 'contoso', authType: 'workload-identity' }, true, undefined, {
      AZURE_FEDERATED_TOKEN_FILE: emulator.scenario.workload.tokenFile,
      AZURE_CLIENT_ID: app('workloadApp').clientId,
      AZURE_TENANT_ID: tenantId,
    }),
  ]);
  // Entra will refuse the renewal of this one (its federated credential is gone); its token stays valid.
  app('workloadApp').federated.length = 0;
  const expiries = [oidc, twoRegistries, control, failing].flatMap((l) =>
    l.result.credentials.map((c) => c.expiresOn?.getTime() ?? 0),
  );
  allExpired = allExpiredAt(expiries);
}, 120_000);
afterAll(async () => {
  // The agents of the logins the tests did not stop.
  for (const login of [oidc, twoRegistries, failing]) if (login?.renewal) await stopRenewal(login.renewal);
  await emulator?.stop();
  if (bundle !== undefined) await rm(join(bundle, '..'), { recursive: true, force: true });
});

describe('renewal set-up', () => {
  test('routes each registry to the helper in every client file, and caches its token in the temp dir', async () => {
    const helper = oidc.renewal?.helper ?? '';
    expect(helper).toMatch(/^acr-login-[0-9a-f]{8}$/);
    const docker = JSON.parse(await readFile(oidc.dockerConfig, 'utf8'));
    expect(docker.credHelpers).toEqual({ 'gcr.io': 'gcloud', [REGISTRIES.contoso]: helper });
    expect(JSON.parse(await readFile(oidc.authFile, 'utf8')).credHelpers).toEqual({
      [REGISTRIES.contoso]: helper,
    });
    expect(await readdir(join(oidc.renewal?.dir ?? '', 'cache'))).toEqual([`${REGISTRIES.contoso}.json`]);
    const cached = await readCached(oidc.renewal?.dir ?? '', REGISTRIES.contoso);
    expect(cached?.password).toBe(oidc.result.credentials[0]?.password);
  });
});

describe('a fresh credential (POSIX)', () => {
  test('docker and skopeo get it from the cache file: the helper starts no Node; a due one goes to Node', async () => {
    // Tokens that stay fresh for the length of this test, however loaded the machine.
    emulator.setLifetimes({ refreshToken: 600 });
    let fresh: Login;
    try {
      fresh = await logIn(
        {
          registry: 'contoso',
          clientId: app('spSecret').clientId,
          tenantId: emulator.scenario.tenantId,
          clientSecret: app('spSecret').secret ?? '',
        },
        true,
      );
    } finally {
      emulator.setLifetimes({ refreshToken: LIFETIMES.refreshToken });
    }
    try {
      // Every Node started with this environment leaves a line in `marker`.
      const marker = join(fresh.home, 'node-started');
      const hook = join(fresh.home, 'mark.cjs');
      await writeFile(hook, `require('node:fs').appendFileSync(${JSON.stringify(marker)}, 'node\\n');\n`);
      const env = { ...(await fresh.clientEnv(['docker', 'skopeo'])), NODE_OPTIONS: `--require ${hook}` };
      const inspected = await run('docker', ['manifest', 'inspect', hello], { env });
      expect(inspected.code, inspected.stderr).toBe(0);
      const pulled = await skopeoInspect(hello, { env, authFile: fresh.dockerConfig });
      expect(pulled.code, pulled.stderr).toBe(0);
      await expect(readFile(marker)).rejects.toMatchObject({ code: 'ENOENT' });
      // The control: the same helper hands a registry it has no fresh answer for to Node.
      const other = await helperGet(fresh, REGISTRIES.public, env);
      expect(other.stdout).toBe('credentials not found in native keychain\n');
      expect(await readFile(marker, 'utf8')).toBe('node\n');
    } finally {
      if (fresh.renewal) await stopRenewal(fresh.renewal);
    }
  });
});

describe('a renewal that fails', () => {
  test('keeps serving the valid token, and the client sees a warning naming the cause', async () => {
    const token = await readCached(failing.renewal?.dir ?? '', REGISTRIES.contoso);
    if (token === undefined) throw new Error('no cached token');
    await sleepUntil(token.renewAt + 300);
    expect(Date.now()).toBeLessThan(token.expiresOn - 2000);
    const pulled = await skopeoInspect(hello, {
      env: await failing.clientEnv(['skopeo']),
      authFile: failing.dockerConfig,
    });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stderr).toContain('AADSTS700211');
    expect(pulled.stderr).toContain(`stay valid until ${new Date(token.expiresOn).toISOString()}`);
  });
});

/** The plan the agent keeps in memory, as startRenewal builds it from a login. */
function renewalPlanOf(login: typeof twoRegistries): RenewalPlan {
  return {
    cloud: login.plan.cloud,
    registries: login.plan.registries.flatMap((registry) =>
      registry.auth.type === 'entra'
        ? [
            {
              loginServer: registry.loginServer,
              audience: registry.auth.audience,
              identity: registry.auth.identity,
            },
          ]
        : [],
    ),
  };
}

describe("a CA only the login step's settings named (the agent's Agent.CAInfo)", () => {
  test('the renewal trusts it; without it the registry certificate is refused (the control)', async () => {
    const plan = renewalPlanOf(twoRegistries);
    const env = { HTTPS_PROXY: emulator.proxyUrl, NO_PROXY: '127.0.0.1,localhost' };
    // This test process does not trust the emulator's CA: Node reads NODE_EXTRA_CA_CERTS only at start.
    const refused = createRenew(plan, { env });
    await expect(refused(REGISTRIES.contoso)).rejects.toMatchObject({
      message: expect.stringContaining('is not trusted here'),
    });
    const trusted = createRenew({ ...plan, tls: { caFile: emulator.caFile } }, { env });
    const renewed = await trusted(REGISTRIES.contoso);
    expect(renewed.expiresOn.getTime()).toBeGreaterThan(Date.now());
    expect(renewed.password).not.toBe(twoRegistries.result.credentials[0]?.password);
  });
});

describe("a proxy the login step's settings named, with its bypass list (Agent.ProxyBypassList)", () => {
  test('the renewal goes through it, and direct to a host the list matches, as the login did', async () => {
    const plan = { ...renewalPlanOf(twoRegistries), tls: { caFile: emulator.caFile } };
    // The agent keeps its proxy in its settings, which reach the renewal in its plan and win over an
    // HTTPS_PROXY of the job, as they did for the login: this one would refuse every connection.
    const env = { HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' };
    const proxy = { url: emulator.proxyUrl, bypass: [], source: 'Agent.ProxyUrl' };
    const renewed = await createRenew({ ...plan, proxy }, { env })(REGISTRIES.contoso);
    expect(renewed.password).not.toBe(twoRegistries.result.credentials[0]?.password);
    // Direct, the emulator's names do not resolve: the registry alone went around the proxy.
    const bypass = ['^https://contoso\\.azurecr\\.io/', '([not a pattern'];
    const around = createRenew({ ...plan, proxy: { ...proxy, bypass } }, { env });
    await expect(around(REGISTRIES.contoso)).rejects.toMatchObject({
      message: expect.stringContaining('the host "contoso.azurecr.io" does not resolve'),
    });
  });
});

describe(`after the ${LIFETIMES.refreshToken} s refresh token and the ${LIFETIMES.oidc} s OIDC token expired`, () => {
  beforeAll(() => sleepUntil(allExpired), 60_000);

  test('20 parallel gets make exactly one OIDC request, one Entra request and one exchange', async () => {
    emulator.resetRequests();
    const renewed = await parallelGets(
      oidc.renewal?.helper ?? '',
      REGISTRIES.contoso,
      await oidc.clientEnv(),
    );
    expect(renewed.username).toBe(REFRESH_TOKEN_USERNAME);
    expect(renewed.secret).not.toBe(oidc.result.credentials[0]?.password);
    expect(emulator.count({ service: 'github' })).toBe(1);
    expect(emulator.count({ service: 'entra', method: 'POST' })).toBe(1);
    expect(emulator.count({ service: 'acr', path: '/oauth2/exchange' })).toBe(1);
  });

  test('docker reads the renewed token through its credential lookup (docker manifest inspect, no daemon)', async () => {
    const result = await run('docker', ['--debug', 'manifest', 'inspect', hello], {
      env: await oidc.clientEnv(),
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ schemaVersion: 2 });
  });

  test('skopeo pushes with the Docker config', async () => {
    const pushed = await skopeoPush(hello, `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:renewed`, {
      env: await oidc.clientEnv(['skopeo']),
      authFile: oidc.dockerConfig,
    });
    expect(pushed.code, pushed.stderr).toBe(0);
  });

  test('podman and buildah pull with the containers auth file', async () => {
    const env = await oidc.clientEnv(['podman', 'buildah']);
    const image = hello; // seeded by the emulator: this test reads no other test's push
    const podman = await podmanPull(image, env);
    expect(podman.code, podman.stderr).toBe(0);
    const buildah = await buildahPull(image, env);
    expect(buildah.code, buildah.stderr).toBe(0);
  });

  test('two registries renew with one Entra token', async () => {
    emulator.resetRequests();
    const env = await twoRegistries.clientEnv();
    const other = emulator.scenario.extraRegistries[0] ?? '';
    expect((await helperGet(twoRegistries, REGISTRIES.contoso, env)).code).toBe(0);
    expect((await helperGet(twoRegistries, other, env)).code).toBe(0);
    expect(emulator.count({ service: 'entra', method: 'POST' })).toBe(1);
    expect(emulator.count({ service: 'acr', path: '/oauth2/exchange' })).toBe(2);
  });

  test('the helper refuses a registry it did not log in to', async () => {
    const result = await helperGet(oidc, REGISTRIES.public, await oidc.clientEnv());
    expect(result).toMatchObject({ code: 1, stdout: 'credentials not found in native keychain\n' });
  });

  test('control: without renewal the same push fails', async () => {
    const pushed = await skopeoPush(hello, `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:control`, {
      env: await control.clientEnv(['skopeo']),
      authFile: control.dockerConfig,
    });
    expect(pushed.code).not.toBe(0);
    expect(pushed.stderr).toMatch(/401|unauthorized/i);
  });

  test('a failed renewal: the client error names the cause and the fix', async () => {
    const pulled = await skopeoInspect(hello, {
      env: await failing.clientEnv(['skopeo']),
      authFile: failing.dockerConfig,
    });
    expect(pulled.code).not.toBe(0);
    expect(pulled.stderr).toContain('could not be renewed');
    expect(pulled.stderr).toContain('AADSTS700211');
    expect(pulled.stderr).toContain('federated');
    expect(pulled.stderr).not.toContain(failing.result.credentials[0]?.password ?? 'no password');
  });
});

describe('the post step', () => {
  test("stops the agent, removes the helper entries and its files, and gives back the user's config byte for byte", async () => {
    const record = oidc.renewal as RenewalRecord;
    expect(processAlive(record.agentPid)).toBe(true);
    const stopped = await stopRenewal(record);
    expect(stopped).toMatchObject({ agent: 'stopped', removed: 2, restored: 0, skipped: [] });
    expect(processAlive(record.agentPid)).toBe(false);
    await logout(oidc.result.state, { logger: silent, env: oidc.env });
    expect(await readFile(oidc.dockerConfig, 'utf8')).toBe(userConfig);
    await expect(readFile(oidc.authFile)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(join(oidc.home, 'runner-temp'))).toEqual([]);
  });
});
