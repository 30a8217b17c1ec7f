import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  AUTHORITY_HOSTS,
  type Emulator,
  HELLO_REPOSITORY,
  REFRESH_TOKEN_USERNAME,
  REGISTRIES,
  startEmulator,
} from '../emulator/index.ts';
import {
  ACTION_MAIN,
  ACTION_POST,
  exportedEnv,
  inputEnv,
  type Job,
  maskViolations,
  newJob,
  runStep,
  type StepResult,
  stateEnv,
} from '../support/actions-runner.ts';
import { expectToolsInCi, skopeoInspect, skopeoPush } from '../support/clients.ts';
import { builtinsProbe, HTTP_CLIENT } from '../support/loaded-builtins.ts';

/** The committed bundle, run as the runner runs it, against the emulator; then the post step. */

let emulator: Emulator;
beforeAll(async () => {
  expectToolsInCi(['skopeo', 'docker-registry']);
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

const hello = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`;

async function main(
  job: Job,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<StepResult> {
  return runStep(ACTION_MAIN, job, { ...emulator.env(), ...inputEnv(inputs), ...env });
}

async function post(
  job: Job,
  state: Record<string, string>,
  env: Record<string, string> = {},
): Promise<StepResult> {
  return runStep(ACTION_POST, job, { ...emulator.env(), ...stateEnv(state), ...env });
}

/** Logs in, checks masking, outputs and a real pull, logs out; returns the main step. */
async function loginAndPull(job: Job, inputs: Record<string, string>, env: Record<string, string> = {}) {
  const step = await main(job, inputs, env);
  expect(step.stdout + step.stderr).not.toContain('::error::');
  expect(step.code).toBe(0);
  const password = step.outputs.password ?? '';
  expect(password).not.toBe('');
  const pair = Buffer.from(`${step.outputs.username}:${password}`).toString('base64');
  const inputSecrets = ['client-secret', 'password', 'creds']
    .map((name) => inputs[name] ?? '')
    .filter((value) => value !== '' && !value.includes('\n'));
  expect(maskViolations(step.stdout + step.stderr, [password, pair, ...inputSecrets])).toEqual([]);
  // The job's own Docker config, exported to the later steps; the one under HOME is left alone.
  expect(await exportedEnv(job)).toMatchObject({ DOCKER_CONFIG: dirname(job.files.docker) });
  await expect(readFile(job.dockerConfig)).rejects.toMatchObject({ code: 'ENOENT' });
  const pulled = await skopeoInspect(hello, {
    env: emulator.env({ HOME: job.home }),
    authFile: job.files.docker,
  });
  expect(pulled.code, pulled.stderr).toBe(0);
  return step;
}

/** The same with `isolate-config: false`: the login writes the Docker config under HOME, as before. */
async function loginAndPullFromHome(job: Job, inputs: Record<string, string>) {
  const step = await main(job, inputs);
  expect(step.code, step.stdout).toBe(0);
  expect(step.outputs['docker-config']).toBe(job.dockerConfig);
  const pulled = await skopeoInspect(hello, {
    env: emulator.env({ HOME: job.home }),
    authFile: job.dockerConfig,
  });
  expect(pulled.code, pulled.stderr).toBe(0);
  return step;
}

describe('each auth type logs docker in, and the post step removes it', () => {
  test('GitHub OIDC chosen by auto from client-id, tenant-id and the OIDC variables', async () => {
    const job = await newJob(emulator.dir);
    const app = emulator.scenario.apps.githubApp;
    const mainProbe = builtinsProbe(join(job.home, 'main-builtins.txt'));
    const step = await loginAndPull(
      job,
      { registry: 'contoso', 'client-id': app.clientId, 'tenant-id': emulator.scenario.tenantId },
      mainProbe.env,
    );
    expect(mainProbe.loaded()).toEqual(expect.arrayContaining(HTTP_CLIENT));
    expect(step.stdout).toContain('(oidc: ');
    expect(step.outputs).toMatchObject({
      'login-server': REGISTRIES.contoso,
      'login-servers': JSON.stringify([REGISTRIES.contoso]),
      username: REFRESH_TOKEN_USERNAME,
      'docker-config': job.files.docker,
    });
    expect(Date.parse(step.outputs['expires-on'] ?? '')).toBeGreaterThan(Date.now());
    expect(step.summary).toContain(REGISTRIES.contoso);
    expect(step.summary).toContain(`the app ${app.clientId}`);
    expect(step.summary).not.toContain(step.outputs.password ?? '');
    expect(emulator.count({ service: 'github' })).toBeGreaterThanOrEqual(1);

    // The post step sends no request, so it loads no HTTP client: the OIDC token's code loads only to log in.
    const probe = builtinsProbe(join(job.home, 'post-builtins.txt'));
    const after = await post(job, step.state, probe.env);
    expect(after.code, after.stdout).toBe(0);
    expect(probe.loaded().filter((name) => HTTP_CLIENT.includes(name))).toEqual([]);
    // The job's file held only our entry, so it goes; HOME never had one.
    await expect(readFile(job.files.docker)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(job.dockerConfig)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('service principal secret, pushing too', async () => {
    const job = await newJob(emulator.dir);
    const app = emulator.scenario.apps.spSecret;
    await loginAndPull(job, {
      registry: 'contoso.azurecr.io',
      'client-id': app.clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-secret': app.secret ?? '',
    });
    const pushed = await skopeoPush(hello, `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:from-action`, {
      env: emulator.env({ HOME: job.home }),
      authFile: job.files.docker,
    });
    expect(pushed.code, pushed.stderr).toBe(0);
  });

  test('creds JSON', async () => {
    const job = await newJob(emulator.dir);
    const app = emulator.scenario.apps.spSecret;
    const creds = JSON.stringify({
      clientId: app.clientId,
      clientSecret: app.secret,
      tenantId: emulator.scenario.tenantId,
    });
    await loginAndPull(job, { registry: 'contoso', creds });
  });

  test('certificate as PEM text: every line of the key is masked', async () => {
    const job = await newJob(emulator.dir);
    const app = emulator.scenario.apps.spCert;
    const pem = app.certPem ?? '';
    const step = await loginAndPull(job, {
      registry: 'contoso',
      'client-id': app.clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-certificate': pem,
    });
    const keyLines = pem.split('\n').filter((line) => line.length >= 8 && !line.startsWith('-----'));
    for (const line of keyLines) expect(step.stdout).toContain(`::add-mask::${line}`);
  });

  test.each([
    ['system-assigned', {}],
    ['user-assigned by client id', { 'client-id': 'userMi' }],
    ['user-assigned by resource id', { 'managed-identity-resource-id': 'userMi' }],
  ])('managed identity, %s', async (_name, selector: Record<string, string>) => {
    const mi = emulator.scenario.managedIdentities.userMi;
    const inputs: Record<string, string> = { registry: 'contoso', 'auth-type': 'managed-identity' };
    if ('client-id' in selector) inputs['client-id'] = mi.clientId;
    if ('managed-identity-resource-id' in selector)
      inputs['managed-identity-resource-id'] = mi.resourceId ?? '';
    emulator.resetRequests();
    await loginAndPull(await newJob(emulator.dir), inputs);
    const imds = emulator.requests.filter((r) => r.service === 'imds' && r.status === 200);
    expect(imds.length).toBeGreaterThanOrEqual(1);
    // The identity IMDS was asked for: the selector given, or none for the system-assigned one.
    const expected =
      'client-id' in selector
        ? { client_id: mi.clientId }
        : 'managed-identity-resource-id' in selector
          ? { msi_res_id: mi.resourceId }
          : {};
    for (const request of imds) {
      const selectors = Object.fromEntries(
        Object.entries(request.query).filter(([key]) =>
          ['client_id', 'object_id', 'msi_res_id'].includes(key),
        ),
      );
      expect(selectors).toEqual(expected);
    }
  });

  test('workload identity token file', async () => {
    const job = await newJob(emulator.dir);
    const app = emulator.scenario.apps.workloadApp;
    const step = await loginAndPull(
      job,
      { registry: 'contoso' },
      {
        AZURE_FEDERATED_TOKEN_FILE: emulator.scenario.workload.tokenFile,
        AZURE_CLIENT_ID: app.clientId,
        AZURE_TENANT_ID: emulator.scenario.tenantId,
        ACTIONS_ID_TOKEN_REQUEST_URL: '',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: '',
      },
    );
    expect(step.stdout).toContain('(workload-identity: ');
  });

  test('admin user', async () => {
    const job = await newJob(emulator.dir);
    const admin = emulator.scenario.registries.get(REGISTRIES.contoso)?.admin;
    const step = await loginAndPull(job, {
      registry: 'contoso',
      username: admin?.username ?? '',
      password: admin?.password ?? '',
    });
    expect(step.outputs).toMatchObject({ username: admin?.username, 'expires-on': '' });
  });

  test('anonymous writes nothing', async () => {
    const job = await newJob(emulator.dir);
    const step = await main(job, { registry: 'public', 'auth-type': 'anonymous' });
    expect(step.code, step.stdout).toBe(0);
    await expect(readFile(job.dockerConfig)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(job.files.docker)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await exportedEnv(job)).toEqual({});
    const after = await post(job, step.state);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('Nothing to log out');
  });
});

describe('the user files survive', () => {
  const original = `${JSON.stringify({ auths: { 'ghcr.io': { auth: 'dXNlcjpwYXNz' } }, detachKeys: 'ctrl-e,e' }, null, '\t')}\n`;

  async function jobWithConfig(): Promise<Job> {
    const job = await newJob(emulator.dir);
    await mkdir(dirname(job.dockerConfig), { recursive: true });
    await writeFile(job.dockerConfig, original, { mode: 0o600 });
    return job;
  }

  test('the login leaves the Docker config under HOME byte for byte; its copy in the job is restored too', async () => {
    const job = await jobWithConfig();
    const app = emulator.scenario.apps.spSecret;
    const step = await main(job, {
      registry: 'contoso',
      'client-id': app.clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-secret': app.secret ?? '',
    });
    expect(step.code, step.stdout).toBe(0);
    const during = JSON.parse(await readFile(job.files.docker, 'utf8'));
    expect(Object.keys(during.auths).sort()).toEqual(['contoso.azurecr.io', 'ghcr.io']);
    expect(await readFile(job.dockerConfig, 'utf8')).toBe(original);
    const after = await post(job, step.state);
    expect(after.code).toBe(0);
    expect(await readFile(job.dockerConfig, 'utf8')).toBe(original);
    expect(await readFile(job.files.docker, 'utf8')).toBe(original);
  });

  test('isolate-config: false: the post step restores the Docker config under HOME byte for byte', async () => {
    const job = await jobWithConfig();
    const app = emulator.scenario.apps.spSecret;
    const step = await loginAndPullFromHome(job, {
      registry: 'contoso',
      'client-id': app.clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-secret': app.secret ?? '',
      'isolate-config': 'false',
    });
    const during = JSON.parse(await readFile(job.dockerConfig, 'utf8'));
    expect(Object.keys(during.auths).sort()).toEqual(['contoso.azurecr.io', 'ghcr.io']);
    expect(await exportedEnv(job)).toEqual({});
    const after = await post(job, step.state);
    expect(after.code).toBe(0);
    expect(await readFile(job.dockerConfig, 'utf8')).toBe(original);
  });

  test.each([
    ['the job file', {}, true],
    ['the Docker config under HOME (isolate-config: false)', { 'isolate-config': 'false' }, false],
  ])('logout: false keeps the credentials in %s', async (_, extra, isolated) => {
    const job = await jobWithConfig();
    const app = emulator.scenario.apps.spSecret;
    const step = await main(job, {
      registry: 'contoso',
      'client-id': app.clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-secret': app.secret ?? '',
      logout: 'false',
      ...extra,
    });
    expect(step.code).toBe(0);
    const file = isolated ? job.files.docker : job.dockerConfig;
    const written = await readFile(file, 'utf8');
    expect(JSON.parse(written).auths['contoso.azurecr.io'].auth).toMatch(/^[A-Za-z0-9+/]{20,}={0,2}$/);
    // A post step that crashed would leave the credentials too: it must succeed, saying why it kept them.
    const after = await post(job, step.state);
    expect(after.code, after.stdout + after.stderr).toBe(0);
    expect(after.stdout).toContain('"logout" is false: leaving the credentials in place.');
    expect(await readFile(file, 'utf8')).toBe(written);
    if (isolated) expect(await readFile(job.dockerConfig, 'utf8')).toBe(original);
  });

  test('a corrupt Docker config fails the step and is left untouched', async () => {
    const job = await newJob(emulator.dir);
    await mkdir(dirname(job.dockerConfig), { recursive: true });
    await writeFile(job.dockerConfig, '{"auths": {', { mode: 0o600 });
    const app = emulator.scenario.apps.spSecret;
    const step = await main(job, {
      registry: 'contoso',
      'client-id': app.clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-secret': app.secret ?? '',
    });
    expect(step.code).toBe(1);
    expect(step.stdout).toContain('::error::');
    expect(step.stdout).toContain(job.dockerConfig);
    expect(await readFile(job.dockerConfig, 'utf8')).toBe('{"auths": {');
  });
});

describe('failures explain the fix', () => {
  test('OIDC without id-token: write shows the permissions YAML', async () => {
    const job = await newJob(emulator.dir);
    const app = emulator.scenario.apps.githubApp;
    const step = await main(
      job,
      {
        registry: 'contoso',
        'auth-type': 'oidc',
        'client-id': app.clientId,
        'tenant-id': emulator.scenario.tenantId,
      },
      { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' },
    );
    expect(step.code).toBe(1);
    expect(step.stdout).toContain('id-token: write');
    expect(step.outputs).toEqual({});
    // The post step runs after a failed main step too; it must not claim a logout setting it never read.
    const after = await post(job, step.state);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('Nothing to log out');
  });

  test('OIDC from a branch without a federated credential shows its claims and the credential to create', async () => {
    const job = await newJob(emulator.dir);
    const app = emulator.scenario.apps.githubApp;
    const subject = 'repo:octo-org/octo-repo:ref:refs/heads/feature-x';
    emulator.githubSubject(subject);
    try {
      const step = await main(job, {
        registry: 'contoso',
        'client-id': app.clientId,
        'tenant-id': emulator.scenario.tenantId,
      });
      expect(step.code).toBe(1);
      expect(step.stdout).toContain('AADSTS70021');
      expect(step.stdout).toContain(`sub: ${subject}`);
      expect(step.stdout).toContain('iss: https://token.actions.githubusercontent.com');
      expect(step.stdout).toContain('error code: ENTRA_AUTH_FAILED');
      const masked = step.stdout
        .split('\n')
        .filter((l) => l.startsWith('::add-mask::ey'))
        .map((l) => l.slice(12));
      expect(masked.length).toBeGreaterThan(0);
      expect(maskViolations(step.stdout + step.stderr, masked)).toEqual([]);
    } finally {
      emulator.githubSubject('repo:octo-org/octo-repo:ref:refs/heads/main');
    }
  });

  test('a wrong secret is named by its AADSTS code and never printed', async () => {
    const job = await newJob(emulator.dir);
    const app = emulator.scenario.apps.spSecret;
    const wrong = 'Wr0ng-s3cret-value-1234567890';
    const step = await main(job, {
      registry: 'contoso',
      'client-id': app.clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-secret': wrong,
    });
    expect(step.code).toBe(1);
    expect(step.stdout).toContain('AADSTS7000215');
    expect(maskViolations(step.stdout + step.stderr, [wrong])).toEqual([]);
  });

  test('a registry outside the cloud suffix is refused before any token is requested', async () => {
    const job = await newJob(emulator.dir);
    emulator.resetRequests();
    const app = emulator.scenario.apps.spSecret;
    const step = await main(job, {
      registry: 'registry.example.com',
      'client-id': app.clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-secret': app.secret ?? '',
    });
    expect(step.code).toBe(1);
    expect(step.stdout).toContain('trusted-registries');
    expect(emulator.count({ service: 'entra' })).toBe(0);
  });
});

describe('sovereign and custom clouds, and trusted registries, through the action', () => {
  const CUSTOM = {
    environment: 'custom',
    'authority-host': `https://${AUTHORITY_HOSTS.custom}`,
    'registry-suffix': 'azurecr.contoso.test',
  };
  test.each([
    [
      'AzureChinaCloud',
      { environment: 'AzureChinaCloud' },
      'fabrikam',
      REGISTRIES.fabrikam,
      AUTHORITY_HOSTS.AzureChinaCloud,
    ],
    [
      'AzureUSGovernment',
      { environment: 'AzureUSGovernment' },
      'usgov',
      REGISTRIES.usgov,
      AUTHORITY_HOSTS.AzureUSGovernment,
    ],
    // A custom cloud: its own authority, and a registry name completed with its own suffix.
    ['a custom cloud with a registry suffix', CUSTOM, 'stack', REGISTRIES.stack, AUTHORITY_HOSTS.custom],
    // Outside AzureCloud's azurecr.io, so the Entra token goes there only because trusted-registries names it.
    [
      'AzureCloud with a trusted registry outside azurecr.io',
      { 'trusted-registries': REGISTRIES.stack },
      REGISTRIES.stack,
      REGISTRIES.stack,
      AUTHORITY_HOSTS.AzureCloud,
    ],
  ])('%s', async (_, cloud: Record<string, string>, registry, server, authority) => {
    const job = await newJob(emulator.dir);
    emulator.resetRequests();
    const app = emulator.scenario.apps.spSecret;
    const step = await main(job, {
      registry,
      'client-id': app.clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-secret': app.secret ?? '',
      ...cloud,
    });
    expect(step.stdout + step.stderr).not.toContain('::error::');
    expect(step.code, step.stdout).toBe(0);
    expect(step.outputs['login-server']).toBe(server);
    expect(emulator.count({ service: 'entra', host: authority, status: 200 })).toBeGreaterThan(0);
    expect(emulator.count({ host: server, path: '/oauth2/exchange', status: 200 })).toBe(1);
    const pulled = await skopeoInspect(`${server}/${HELLO_REPOSITORY}:latest`, {
      env: emulator.env({ HOME: job.home }),
      authFile: job.files.docker,
    });
    expect(pulled.code, pulled.stderr).toBe(0);
  });
});

test('ten registries in one step: one Entra token, ten exchanges', async () => {
  const many = await startEmulator({ extraRegistries: 10 });
  try {
    const job = await newJob(many.dir);
    const app = many.scenario.apps.spSecret;
    const step = await runStep(ACTION_MAIN, job, {
      ...many.env(),
      ...inputEnv({
        registry: many.scenario.extraRegistries.join('\n'),
        'client-id': app.clientId,
        'tenant-id': many.scenario.tenantId,
        'client-secret': app.secret ?? '',
      }),
    });
    expect(step.code, step.stdout).toBe(0);
    expect(JSON.parse(step.outputs['login-servers'] ?? '[]')).toHaveLength(10);
    expect(many.count({ service: 'entra' })).toBe(1);
    expect(many.count({ service: 'acr', path: '/oauth2/exchange' })).toBe(10);
    const config = JSON.parse(await readFile(job.files.docker, 'utf8'));
    expect(Object.keys(config.auths)).toHaveLength(10);
  } finally {
    await many.stop();
  }
});
