import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  AcrLoginError,
  type Environment,
  getAccessToken,
  type LoginInputs,
  type LoginResult,
  login,
  logout,
  type PlanFacts,
  planLogin,
  type Transport,
} from '../../packages/core/src/index.ts';
import {
  type Emulator,
  HELLO_REPOSITORY,
  REFRESH_TOKEN_LIFETIME,
  REFRESH_TOKEN_USERNAME,
  REGISTRIES,
  startEmulator,
} from '../emulator/index.ts';
import { dockerLogin, expectToolsInCi, skopeoInspect, skopeoPush } from '../support/clients.ts';

/**
 * Core, in process, against the emulator: every auth type ends with real clients using what was written.
 * The Entra and ACR traffic goes through the emulator's proxy via the injected dispatcher.
 */

let emulator: Emulator;
const hello = (server: string) => `${server}/${HELLO_REPOSITORY}:latest`;

beforeAll(async () => {
  expectToolsInCi(['skopeo', 'docker', 'docker-registry']);
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

interface Run {
  readonly home: string;
  readonly dockerConfig: string;
  readonly env: Record<string, string>;
  readonly masked: string[];
  readonly logs: string[];
  readonly sleeps: number[];
}

async function newRun(): Promise<Run> {
  const home = await mkdtemp(join(emulator.dir, 'home-'));
  return {
    home,
    dockerConfig: join(home, '.docker', 'config.json'),
    env: { HOME: home, XDG_RUNTIME_DIR: join(home, 'run'), XDG_CONFIG_HOME: join(home, '.config') },
    masked: [],
    logs: [],
    sleeps: [],
  };
}

function environment(run: Run, extra: Partial<Environment> = {}): Environment {
  return {
    logger: {
      debug: (m) => run.logs.push(m),
      info: (m) => run.logs.push(m),
      warning: (m) => run.logs.push(m),
      mask: (secret) => run.masked.push(secret),
    },
    env: run.env,
    dispatcher: emulator.dispatcher(),
    sleep: async (ms) => {
      run.sleeps.push(ms);
    },
    oidcToken: () => emulator.githubToken(),
    ...extra,
  };
}

const facts = (run: Run, overrides: Partial<PlanFacts> = {}): PlanFacts => ({
  oidcAvailable: true,
  env: run.env,
  ...overrides,
});

async function loginWith(inputs: LoginInputs, run?: Run, extra: Partial<Environment> = {}) {
  const r = run ?? (await newRun());
  const plan = planLogin(inputs, facts(r));
  const result = await login(plan, environment(r, extra));
  return { run: r, plan, result };
}

const clients = (run: Run) => ({ env: emulator.env({ HOME: run.home }), authFile: run.dockerConfig });

function sp(name: 'spSecret' | 'spPullOnly' | 'spNoRole') {
  const app = emulator.scenario.apps[name];
  return { clientId: app.clientId, tenantId: emulator.scenario.tenantId, clientSecret: app.secret ?? '' };
}

async function expectPull(run: Run, server: string) {
  const pulled = await skopeoInspect(hello(server), clients(run));
  expect(pulled.stderr).toBe('');
  expect(pulled.code).toBe(0);
  expect(JSON.parse(pulled.stdout)).toMatchObject({ Name: `${server}/${HELLO_REPOSITORY}` });
}

beforeEach(() => emulator.resetRequests());

describe('service principal with a secret', () => {
  let run: Run;
  let result: LoginResult;

  beforeAll(async () => {
    emulator.resetRequests();
    ({ run, result } = await loginWith({ registry: 'contoso', ...sp('spSecret') }));
  });

  test('returns the refresh token credential with its expiry from the JWT', () => {
    const [credential] = result.credentials;
    expect(credential).toMatchObject({ loginServer: REGISTRIES.contoso, username: REFRESH_TOKEN_USERNAME });
    const lifetime = (credential?.expiresOn?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan((REFRESH_TOKEN_LIFETIME - 120) * 1000);
    expect(lifetime).toBeLessThanOrEqual(REFRESH_TOKEN_LIFETIME * 1000);
  });

  test('writes a Docker config entry skopeo pulls and pushes with', async () => {
    expect(result.dockerConfig).toBe(run.dockerConfig);
    expect((await stat(run.dockerConfig)).mode & 0o777).toBe(0o600);
    await expectPull(run, REGISTRIES.contoso);
    const pushed = await skopeoPush(
      hello(REGISTRIES.contoso),
      `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:pushed-by-sp`,
      clients(run),
    );
    expect(pushed.code, pushed.stderr).toBe(0);
  });

  test('the docker CLI logs in with the same credential', async () => {
    const [credential] = result.credentials;
    const configDir = await mkdtemp(join(run.home, 'docker-'));
    const res = await dockerLogin(
      REGISTRIES.contoso,
      credential?.username ?? '',
      credential?.password ?? '',
      {
        env: emulator.env({ HOME: run.home }),
        configDir,
      },
    );
    expect(res.stdout).toContain('Login Succeeded');
  });

  test('every secret was masked: refresh token and the base64 pair the file holds', async () => {
    const [credential] = result.credentials;
    const pair = Buffer.from(`${REFRESH_TOKEN_USERNAME}:${credential?.password}`).toString('base64');
    expect(run.masked).toContain(credential?.password);
    expect(run.masked).toContain(pair);
    const config = JSON.parse(await readFile(run.dockerConfig, 'utf8'));
    expect(config.auths[REGISTRIES.contoso].auth).toBe(pair);
    for (const line of run.logs) for (const secret of run.masked) expect(line).not.toContain(secret);
  });
});

test('one Entra request per identity, one exchange per registry, for several registries', async () => {
  const { result } = await loginWith({ registry: 'contoso\nnoarm.azurecr.io', ...sp('spSecret') });
  expect(result.credentials.map((c) => c.loginServer)).toEqual([REGISTRIES.contoso, REGISTRIES.noarm]);
  expect(emulator.count({ service: 'entra', path: `/${emulator.scenario.tenantId}/oauth2/v2.0/token` })).toBe(
    1,
  );
  expect(emulator.count({ service: 'acr', host: REGISTRIES.contoso, path: '/oauth2/exchange' })).toBe(1);
  expect(emulator.count({ service: 'acr', host: REGISTRIES.noarm, path: '/oauth2/exchange' })).toBe(1);
  expect(
    emulator.count({
      service: 'acr',
      path: '/oauth2/exchange',
      form: { grant_type: 'access_token', tenant: emulator.scenario.tenantId },
    }),
  ).toBe(2);
});

test('the Entra token request leaves before the challenges: every exchange waits for it', async () => {
  const sent: string[] = [];
  const inner = emulator.dispatcher();
  const recording: Transport = {
    request: (req) => {
      sent.push(`${req.method} ${new URL(req.origin).host}${req.path}`);
      return inner.request(req);
    },
    close: () => inner.close(),
  };
  const { result } = await loginWith(
    { registry: 'contoso\nnoarm.azurecr.io', ...sp('spSecret') },
    undefined,
    { dispatcher: recording },
  );
  expect(result.credentials).toHaveLength(2);
  expect(sent.slice(0, 3)).toEqual([
    `POST login.microsoftonline.com/${emulator.scenario.tenantId}/oauth2/v2.0/token`,
    `GET ${REGISTRIES.contoso}/v2/`,
    `GET ${REGISTRIES.noarm}/v2/`,
  ]);
});

test('a pull-only role pulls but cannot push', async () => {
  const { run } = await loginWith({ registry: 'contoso', ...sp('spPullOnly') });
  await expectPull(run, REGISTRIES.contoso);
  const pushed = await skopeoPush(
    hello(REGISTRIES.contoso),
    `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:denied`,
    clients(run),
  );
  expect(pushed.code).not.toBe(0);
  expect(pushed.stderr).toMatch(/denied|unauthorized/i);
});

describe('failures leave the Docker config as it was', () => {
  const original =
    '{\n\t"auths": {\n\t\t"other.example": {\n\t\t\t"auth": "b3RoZXI6c2VjcmV0"\n\t\t}\n\t},\n\t"credsStore": ""\n}';

  async function withConfig(): Promise<Run> {
    const run = await newRun();
    await writeFile(join(await mkdtempDir(run.home, '.docker'), 'config.json'), original, { mode: 0o600 });
    return run;
  }

  test('an identity without a role: ACR_EXCHANGE_DENIED naming the roles to grant', async () => {
    const run = await withConfig();
    const error = await loginWith({ registry: 'contoso', ...sp('spNoRole') }, run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AcrLoginError);
    expect(error).toMatchObject({ code: 'ACR_EXCHANGE_DENIED' });
    expect((error as Error).message).toMatch(/^Registry "contoso.azurecr.io": .*"AcrPull"/);
    expect(await readFile(run.dockerConfig, 'utf8')).toBe(original);
  });

  test('a wrong secret: the AADSTS code explained, no secret in the message', async () => {
    const run = await withConfig();
    const inputs = { registry: 'contoso', ...sp('spSecret'), clientSecret: 'not-the-secret-value' };
    const error = await loginWith(inputs, run).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ENTRA_AUTH_FAILED',
      message: expect.stringContaining('AADSTS7000215'),
    });
    expect((error as Error).message).not.toContain('not-the-secret-value');
    expect(await readFile(run.dockerConfig, 'utf8')).toBe(original);
  });

  test('one of two registries failing writes neither', async () => {
    const run = await withConfig();
    const inputs = { registry: 'contoso, noarm', ...sp('spSecret'), tokenAudience: 'arm' };
    const original = await readFile(run.dockerConfig, 'utf8');
    // contoso accepts ARM tokens, noarm does not.
    const error = await loginWith(inputs, run).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ACR_EXCHANGE_DENIED' });
    expect((error as Error).message).toContain('authentication-as-arm disabled');
    expect(await readFile(run.dockerConfig, 'utf8')).toBe(original);
  });
});

async function mkdtempDir(home: string, name: string): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  const dir = join(home, name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

describe('every identity', () => {
  test('certificate as PEM text and as a path', async () => {
    const app = emulator.scenario.apps.spCert;
    for (const clientCertificate of [app.certPem ?? '', app.certFile ?? '']) {
      const { run } = await loginWith({
        registry: 'contoso',
        clientId: app.clientId,
        tenantId: emulator.scenario.tenantId,
        clientCertificate,
      });
      await expectPull(run, REGISTRIES.contoso);
    }
  });

  test('creds JSON of az ad sp create-for-rbac --sdk-auth', async () => {
    const { clientId, tenantId, clientSecret } = sp('spSecret');
    const creds = JSON.stringify({
      clientId,
      clientSecret,
      tenantId,
      subscriptionId: '11111111-2222-3333-4444-555555555555',
    });
    const { run, plan } = await loginWith({ registry: 'contoso', creds });
    expect(plan.authType).toBe('service-principal');
    expect(plan.secrets).toContain(clientSecret);
    await expectPull(run, REGISTRIES.contoso);
  });

  test('GitHub OIDC: the assertion is fetched once and exchanged', async () => {
    const app = emulator.scenario.apps.githubApp;
    let fetched = 0;
    const { run, plan } = await loginWith(
      { registry: 'contoso', clientId: app.clientId, tenantId: emulator.scenario.tenantId },
      undefined,
      {
        oidcToken: (audience) => {
          fetched++;
          expect(audience).toBe('api://AzureADTokenExchange');
          return emulator.githubToken();
        },
      },
    );
    expect(plan.authType).toBe('oidc');
    expect(fetched).toBe(1);
    await expectPull(run, REGISTRIES.contoso);
  });

  test('GitHub OIDC from another branch: AADSTS70021 shows the subject and the credential to create', async () => {
    const app = emulator.scenario.apps.githubApp;
    const subject = 'repo:octo-org/octo-repo:ref:refs/heads/feature';
    const error = await loginWith(
      { registry: 'contoso', clientId: app.clientId, tenantId: emulator.scenario.tenantId },
      undefined,
      { oidcToken: () => emulator.githubToken({ sub: subject }) },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENTRA_AUTH_FAILED', details: { sub: subject } });
    expect((error as Error).message).toContain('AADSTS70021');
    expect((error as Error).message).toContain(subject);
  });

  test('workload identity token file', async () => {
    const app = emulator.scenario.apps.workloadApp;
    const run = await newRun();
    Object.assign(run.env, {
      AZURE_FEDERATED_TOKEN_FILE: emulator.scenario.workload.tokenFile,
      AZURE_CLIENT_ID: app.clientId,
      AZURE_TENANT_ID: emulator.scenario.tenantId,
    });
    const { plan } = await loginWith({ registry: 'contoso', authType: 'workload-identity' }, run);
    expect(plan.authType).toBe('workload-identity');
    await expectPull(run, REGISTRIES.contoso);
  });

  test.each([
    ['AzureChinaCloud', REGISTRIES.fabrikam, 'fabrikam'],
    ['AzureUSGovernment', REGISTRIES.usgov, 'usgov'],
  ])('%s: the cloud picks authority and registry suffix', async (environmentName, server, name) => {
    const { run } = await loginWith({ registry: name, environment: environmentName, ...sp('spSecret') });
    await expectPull(run, server);
  });

  test('ARM audience where authentication-as-arm is enabled', async () => {
    const { run, result } = await loginWith({ registry: 'contoso', tokenAudience: 'arm', ...sp('spSecret') });
    expect(result.credentials[0]?.audience).toBe('https://management.azure.com/.default');
    await expectPull(run, REGISTRIES.contoso);
  });
});

describe('username and password', () => {
  test('admin user', async () => {
    const admin = emulator.scenario.registries.get(REGISTRIES.contoso)?.admin;
    const { run, result } = await loginWith({
      registry: 'contoso',
      username: admin?.username ?? '',
      password: admin?.password ?? '',
    });
    expect(result.credentials[0]).toMatchObject({ username: admin?.username, expiresOn: undefined });
    await expectPull(run, REGISTRIES.contoso);
  });

  test('a scope-map token pulls its repository and cannot push', async () => {
    const token = emulator.scenario.registries.get(REGISTRIES.contoso)?.tokens[0];
    const { run } = await loginWith({
      registry: 'contoso',
      username: token?.username ?? '',
      password: token?.password ?? '',
    });
    await expectPull(run, REGISTRIES.contoso);
    const pushed = await skopeoPush(
      hello(REGISTRIES.contoso),
      `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:by-token`,
      clients(run),
    );
    expect(pushed.code).not.toBe(0);
  });

  test('a wrong password is refused before anything is written', async () => {
    const run = await newRun();
    const error = await loginWith(
      { registry: 'contoso', username: 'contoso', password: 'wrong-password' },
      run,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ACR_TOKEN_DENIED' });
    expect((error as Error).message).not.toContain('wrong-password');
    await expect(stat(run.dockerConfig)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('anonymous', () => {
  test('a registry with anonymous pull: nothing is written, skopeo pulls without credentials', async () => {
    const { run, result } = await loginWith({ registry: 'public', authType: 'anonymous' });
    expect(result.state.entries).toEqual([]);
    await expect(stat(run.dockerConfig)).rejects.toMatchObject({ code: 'ENOENT' });
    const pulled = await skopeoInspect(hello(REGISTRIES.public), { env: emulator.env({ HOME: run.home }) });
    expect(pulled.code, pulled.stderr).toBe(0);
  });

  test('a registry without it says how to enable it', async () => {
    const error = await loginWith({ registry: 'contoso', authType: 'anonymous' }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ACR_ANONYMOUS_DISABLED',
      message: expect.stringContaining('--anonymous-pull-enabled'),
    });
  });
});

describe('transient failures are retried', () => {
  test('429 with Retry-After on the exchange, then success', async () => {
    emulator.fault({ host: REGISTRIES.contoso, pathPrefix: '/oauth2/exchange', status: 429, retryAfter: 3 });
    const { run } = await loginWith({ registry: 'contoso', ...sp('spSecret') });
    expect(run.sleeps).toEqual([3000]);
    expect(emulator.count({ host: REGISTRIES.contoso, path: '/oauth2/exchange' })).toBe(2);
  });

  test('503 and a reset connection on /v2/, then success', async () => {
    emulator.fault({ host: REGISTRIES.contoso, pathPrefix: '/v2/', status: 503 });
    emulator.fault({ host: REGISTRIES.contoso, pathPrefix: '/v2/', reset: true });
    const { run } = await loginWith({ registry: 'contoso', ...sp('spSecret') });
    expect(run.sleeps).toHaveLength(2);
    await expectPull(run, REGISTRIES.contoso);
  });

  test('a registry host nobody serves fails with REGISTRY_UNREACHABLE naming it', async () => {
    const error = await loginWith({ registry: 'doesnotexist', ...sp('spSecret') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
    expect((error as Error).message).toContain('doesnotexist.azurecr.io');
  });
});

describe('clients and logout', () => {
  test('podman and helm files are written too, and logout deletes the files it created', async () => {
    const run = await newRun();
    const { result } = await loginWith({ registry: 'contoso', clients: 'all', ...sp('spSecret') }, run);
    const containers = join(run.env.XDG_RUNTIME_DIR ?? '', 'containers', 'auth.json');
    const helm = join(run.env.XDG_CONFIG_HOME ?? '', 'helm', 'registry', 'config.json');
    for (const file of [run.dockerConfig, containers, helm]) {
      const auths = JSON.parse(await readFile(file, 'utf8')).auths;
      expect(Object.keys(auths), file).toEqual([REGISTRIES.contoso]);
    }
    const pulled = await skopeoInspect(hello(REGISTRIES.contoso), {
      env: emulator.env({ HOME: run.home }),
      authFile: containers,
    });
    expect(pulled.code, pulled.stderr).toBe(0);

    await logout(result.state, environment(run));
    for (const file of [run.dockerConfig, containers, helm]) {
      await expect(stat(file), file).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  test("logout restores every existing file byte for byte: the user's entries and a replaced one", async () => {
    const run = await newRun();
    const containers = join(run.env.XDG_RUNTIME_DIR ?? '', 'containers', 'auth.json');
    const helm = join(run.env.XDG_CONFIG_HOME ?? '', 'helm', 'registry', 'config.json');
    // Each file holds a login of the user's own and an older one for contoso, which the login replaces.
    const originals = new Map([
      [
        run.dockerConfig,
        `{\n\t"auths": {\n\t\t"${REGISTRIES.contoso}": {\n\t\t\t"auth": "b2xkOm9sZA=="\n\t\t},\n\t\t"ghcr.io": {\n\t\t\t"auth": "Z2g6dG9rZW4="\n\t\t}\n\t}\n}`,
      ],
      [
        containers,
        `{"auths":{"quay.io":{"auth":"cTpwdw=="},"${REGISTRIES.contoso}":{"auth":"b2xkOm9sZA=="}}}\n`,
      ],
      [
        helm,
        // As helm writes it (docker's config library): tab-indented.
        `{\n\t"auths": {\n\t\t"${REGISTRIES.contoso}": {\n\t\t\t"auth": "b2xkOm9sZA=="\n\t\t},\n\t\t"gcr.io": {\n\t\t\t"auth": "Zzp4"\n\t\t}\n\t}\n}`,
      ],
    ]);
    for (const [file, text] of originals) {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFile(file, text, { mode: 0o600 });
    }
    const { result } = await loginWith({ registry: 'contoso', clients: 'all', ...sp('spSecret') }, run);
    for (const file of originals.keys()) {
      const auths = JSON.parse(await readFile(file, 'utf8')).auths;
      expect(Object.keys(auths).length, file).toBe(2);
      expect(auths[REGISTRIES.contoso].auth, file).not.toBe('b2xkOm9sZA==');
    }
    const pulled = await skopeoInspect(hello(REGISTRIES.contoso), {
      env: emulator.env({ HOME: run.home }),
      authFile: containers,
    });
    expect(pulled.code, pulled.stderr).toBe(0);

    await logout(result.state, environment(run));
    for (const [file, text] of originals) expect(await readFile(file, 'utf8'), file).toBe(text);
  });
});

describe('repository-scoped access tokens', () => {
  test.each([
    ['spSecret', ['pull', 'push']],
    ['spPullOnly', ['pull']],
  ] as const)('%s gets the actions its role allows', async (name, actions) => {
    const run = await newRun();
    const { result } = await loginWith({ registry: 'contoso', ...sp(name) }, run);
    const token = await getAccessToken(
      REGISTRIES.contoso,
      result.credentials[0]?.password ?? '',
      [`repository:${HELLO_REPOSITORY}:pull,push`],
      environment(run),
    );
    expect(run.masked).toContain(token);
    expect(decodeJwt(token).access).toEqual([{ type: 'repository', name: HELLO_REPOSITORY, actions }]);
  });

  test('a refresh token for another registry is refused', async () => {
    const { result } = await loginWith({ registry: 'contoso', ...sp('spSecret') });
    const error = await getAccessToken(
      REGISTRIES.noarm,
      result.credentials[0]?.password ?? '',
      [`repository:${HELLO_REPOSITORY}:pull`],
      environment(await newRun()),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ACR_TOKEN_DENIED' });
  });
});
