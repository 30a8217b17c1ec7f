import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { JOB_DIRECTORY, jobClientFiles } from '../../packages/core/src/clients/isolate.ts';
import type { ClientFiles } from '../../packages/core/src/clients/paths.ts';
import {
  ADO_SERVICE_CONNECTION,
  AUTHORITY_HOSTS,
  type Emulator,
  HELLO_REPOSITORY,
  REFRESH_TOKEN_USERNAME,
  REGISTRIES,
  startEmulator,
} from '../emulator/index.ts';
import { REFRESH_TOKEN_LIFETIME } from '../emulator/scenario.ts';
import { NODE } from '../support/actions-runner.ts';
import {
  agentEnv,
  endpoint,
  jobVariables,
  parseCommands,
  runTask,
  type TaskRun,
  taskInputEnv,
  taskOutputs,
  taskVariables,
} from '../support/azure-pipelines-agent.ts';
import { BUNDLES } from '../support/bundles.ts';
import { expectToolsInCi, run, skopeoInspect } from '../support/clients.ts';
import { builtinsProbe, HTTP_CLIENT } from '../support/loaded-builtins.ts';
import { closedPort } from '../support/ports.ts';

/**
 * The committed task bundle, run as the agent runs it: a node process with INPUT_*, ENDPOINT_* and
 * SYSTEM_* variables, talking through the agent's proxy (Agent.ProxyUrl) to the emulator. Everything the
 * task tells the agent is read back from its `##vso[...]` commands.
 */

const CONNECTION = ADO_SERVICE_CONNECTION.id;

let emulator: Emulator;

beforeAll(async () => {
  expect(
    existsSync(BUNDLES.task.main),
    'dist/ado has no bundle: run npm run build -w @acr-login/ado-task',
  ).toBe(true);
  expectToolsInCi(['skopeo', 'docker-registry']);
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

const runBundle = runTask;

interface Job {
  readonly home: string;
  /** The user's Docker config under HOME. */
  readonly dockerConfig: string;
  /** The job's own client files under Agent.TempDirectory, where the task logs in. */
  readonly files: ClientFiles;
  /** What every step of the job sees: agent variables, the proxy, the CA, IMDS. */
  readonly env: Record<string, string>;
}

async function newJob(): Promise<Job> {
  const home = await mkdtemp(join(emulator.dir, 'agent-'));
  const env = await agentEnv(emulator, home);
  return {
    home,
    dockerConfig: join(home, '.docker', 'config.json'),
    files: jobClientFiles(join(env.AGENT_TEMPDIRECTORY ?? '', JOB_DIRECTORY)),
    env,
  };
}

const inputs = taskInputEnv;

const tenantId = () => emulator.scenario.tenantId;

function wifConnection(): Record<string, string> {
  return endpoint(CONNECTION, 'WorkloadIdentityFederation', {
    serviceprincipalid: emulator.scenario.apps.adoApp.clientId,
    tenantid: tenantId(),
    scope: '/subscriptions/00000000-0000-4000-8000-00000000abcd',
  });
}

function spConnection(kind: 'secret' | 'certificate', app: 'spSecret' | 'spNoRole' = 'spSecret') {
  const { clientId, secret, certPem } = emulator.scenario.apps[kind === 'secret' ? app : 'spCert'];
  return endpoint(
    CONNECTION,
    'ServicePrincipal',
    kind === 'secret'
      ? {
          serviceprincipalid: clientId,
          tenantid: tenantId(),
          authenticationType: 'spnKey',
          serviceprincipalkey: secret ?? '',
        }
      : {
          serviceprincipalid: clientId,
          tenantid: tenantId(),
          authenticationType: 'spnCertificate',
          servicePrincipalCertificate: certPem ?? '',
        },
  );
}

const outputs = taskOutputs;

const result = (run: TaskRun) => run.commands.find((c) => c.name === 'task.complete');

/**
 * Every secret was registered with `##vso[task.setsecret]` once, before it appeared anywhere in stdout, and
 * never reached stderr. Multi-line secrets are registered line by line.
 */
function expectMaskedFirst(run: TaskRun, secrets: readonly string[]): void {
  const pieces = secrets.flatMap((secret) =>
    /[\r\n]/.test(secret)
      ? secret
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter((line) => line.length >= 8 && !line.startsWith('-----'))
      : [secret],
  );
  expect(pieces.length).toBeGreaterThan(0);
  for (const piece of pieces) {
    expect(piece.length, 'a secret to look for').toBeGreaterThan(0);
    const registrations = run.commands.filter((c) => c.name === 'task.setsecret' && c.value === piece);
    expect(registrations, `one setsecret for a secret of length ${piece.length}`).toHaveLength(1);
    const registered = registrations[0];
    const first = run.stdout.indexOf(piece);
    expect(first, 'the first appearance of the secret is its setsecret command').toBe(
      (registered?.at ?? -1) + '##vso[task.setsecret]'.length,
    );
    expect(run.stderr.includes(piece)).toBe(false);
  }
}

/** Run the post-job step as the agent would: the task variables the main step set come back as VSTS_TASKVARIABLE_*. */
function runPost(job: Job, main: TaskRun, env: Record<string, string> = {}): Promise<TaskRun> {
  return runBundle('post', { ...job.env, ...jobVariables(main), ...taskVariables(main), ...env });
}

async function expectPull(job: Job, server: string, authFile = job.files.docker) {
  const pulled = await skopeoInspect(`${server}/${HELLO_REPOSITORY}:latest`, {
    env: emulator.env({ HOME: job.home }),
    authFile,
  });
  expect(pulled.code, pulled.stderr).toBe(0);
  expect(JSON.parse(pulled.stdout)).toMatchObject({ Name: `${server}/${HELLO_REPOSITORY}` });
}

/** A config written by hand (four spaces, final newline), with an older entry for contoso. */
const PREVIOUS_CONFIG = `${JSON.stringify(
  {
    auths: {
      'other.example.com': { auth: 'b3RoZXI6cGFzcw==' },
      'contoso.azurecr.io': { auth: 'b2xkOm9sZA==' },
    },
    detachKeys: 'ctrl-q',
  },
  null,
  4,
)}\n`;

describe.each([
  {
    name: 'WorkloadIdentityFederation connection',
    env: () => ({ ...inputs({ azureSubscription: CONNECTION, registry: 'contoso' }), ...wifConnection() }),
    secrets: () => [emulator.ado.accessToken],
    username: REFRESH_TOKEN_USERNAME,
  },
  {
    name: 'ServicePrincipal connection with a secret (spnKey)',
    env: () => ({
      ...inputs({ azureSubscription: CONNECTION, registry: 'contoso' }),
      ...spConnection('secret'),
    }),
    secrets: () => [emulator.scenario.apps.spSecret.secret ?? ''],
    username: REFRESH_TOKEN_USERNAME,
  },
  {
    name: 'ServicePrincipal connection with a certificate (spnCertificate)',
    env: () => ({
      ...inputs({ azureSubscription: CONNECTION, registry: 'contoso' }),
      ...spConnection('certificate'),
    }),
    secrets: () => [emulator.scenario.apps.spCert.certPem ?? ''],
    username: REFRESH_TOKEN_USERNAME,
  },
  {
    name: 'ManagedServiceIdentity connection with a user-assigned identity',
    env: () => ({
      ...inputs({ azureSubscription: CONNECTION, registry: 'contoso' }),
      ...endpoint(
        CONNECTION,
        'ManagedServiceIdentity',
        { tenantid: tenantId() },
        { environment: 'AzureCloud', msiclientId: emulator.scenario.managedIdentities.userMi.clientId },
      ),
    }),
    secrets: () => [],
    username: REFRESH_TOKEN_USERNAME,
  },
  {
    name: 'authType managedIdentity, system-assigned',
    env: () => inputs({ authType: 'managedIdentity', registry: 'contoso' }),
    secrets: () => [],
    username: REFRESH_TOKEN_USERNAME,
  },
  {
    name: 'authType usernamePassword with the admin user',
    env: () => {
      const admin = emulator.scenario.registries.get(REGISTRIES.contoso)?.admin;
      return inputs({
        authType: 'usernamePassword',
        registry: 'contoso.azurecr.io',
        username: admin?.username ?? '',
        password: admin?.password ?? '',
      });
    },
    secrets: () => [emulator.scenario.registries.get(REGISTRIES.contoso)?.admin?.password ?? ''],
    username: 'contoso',
  },
])('$name', ({ env, secrets, username }) => {
  let job: Job;
  let main: TaskRun;

  /** A job whose user has a Docker config, and the task's main step run in it. */
  const logIn = async (): Promise<{ job: Job; main: TaskRun }> => {
    const job = await newJob();
    await mkdir(join(job.home, '.docker'));
    await writeFile(job.dockerConfig, PREVIOUS_CONFIG, { mode: 0o600 });
    return { job, main: await runBundle('main', { ...job.env, ...env() }) };
  };

  // The tests below only read this login; the post-job step, which changes its files, gets one of its own.
  beforeAll(async () => {
    ({ job, main } = await logIn());
  });

  test('succeeds, through the agent proxy', () => {
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(result(main)?.properties.result ?? 'Succeeded').toBe('Succeeded');
    expect(main.commands.filter((c) => c.name === 'task.issue' && c.properties.type === 'error')).toEqual([]);
    expect(main.stdout).toContain(`Using the agent's proxy ${emulator.proxyUrl}`);
  });

  test('masks every secret before anything prints it', async () => {
    const out = outputs(main);
    const password = out.password?.value ?? '';
    expectMaskedFirst(main, [
      ...secrets(),
      password,
      Buffer.from(`${username}:${password}`).toString('base64'),
    ]);
  });

  test('sets the output variables, the password as a secret', () => {
    const out = outputs(main);
    expect(out.loginServer).toEqual({ value: REGISTRIES.contoso, secret: false });
    expect(out.loginServers).toEqual({ value: JSON.stringify([REGISTRIES.contoso]), secret: false });
    expect(out.username).toEqual({ value: username, secret: false });
    expect(out.password?.secret).toBe(true);
    expect(out.password?.value.length).toBeGreaterThan(8);
    expect(out.dockerConfig).toEqual({ value: job.files.docker, secret: false });
    // The job's later tasks get the job's file; the one under HOME is left alone.
    expect(jobVariables(main)).toEqual({ DOCKER_CONFIG: dirname(job.files.docker) });
    if (username === REFRESH_TOKEN_USERNAME) {
      expect(Date.parse(out.expiresOn?.value ?? '')).toBeGreaterThan(Date.now());
    } else {
      expect(out.expiresOn?.value).toBe('');
    }
  });

  test('skopeo pulls with the written Docker config, which kept the other entries', async () => {
    await expectPull(job, REGISTRIES.contoso);
    const config = JSON.parse(await readFile(job.files.docker, 'utf8'));
    expect(config.auths['other.example.com']).toEqual({ auth: 'b3RoZXI6cGFzcw==' });
    expect(config.detachKeys).toBe('ctrl-q');
    expect(await readFile(job.dockerConfig, 'utf8')).toBe(PREVIOUS_CONFIG);
  });

  test('the post-job step restores the Docker config byte for byte', async () => {
    const own = await logIn();
    expect(own.main.code, own.main.stdout + own.main.stderr).toBe(0);
    expect(await readFile(own.job.files.docker, 'utf8')).not.toBe(PREVIOUS_CONFIG);
    // The post-job step sends no request, so it loads no HTTP client: the agent's transport is the main step's.
    const probe = builtinsProbe(join(own.job.home, 'post-builtins.txt'));
    const post = await runPost(own.job, own.main, probe.env);
    expect(post.code, post.stdout + post.stderr).toBe(0);
    expect(result(post)?.properties.result ?? 'Succeeded').toBe('Succeeded');
    expect(post.stdout).toMatch(/Logged out: 0 credential entries removed, 1 credential entry restored\./);
    expect(probe.loaded()).toContain('fs');
    expect(probe.loaded().filter((name) => HTTP_CLIENT.includes(name))).toEqual([]);
    expect(await readFile(own.job.files.docker, 'utf8')).toBe(PREVIOUS_CONFIG);
    expect(await readFile(own.job.dockerConfig, 'utf8')).toBe(PREVIOUS_CONFIG);
  });
});

describe('several registries, anonymous and logout', () => {
  test('one service connection, several registries: one output list, every registry usable', async () => {
    const job = await newJob();
    const main = await runBundle('main', {
      ...job.env,
      ...inputs({
        azureSubscription: CONNECTION,
        registry: 'contoso\nnoarm.azurecr.io, public',
        clients: 'docker,podman',
      }),
      ...spConnection('secret'),
    });
    expect(main.code, main.stdout).toBe(0);
    const out = outputs(main);
    expect(JSON.parse(out.loginServers?.value ?? '')).toEqual([
      REGISTRIES.contoso,
      REGISTRIES.noarm,
      REGISTRIES.public,
    ]);
    expect(out.loginServer?.value).toBe(REGISTRIES.contoso);
    expect(jobVariables(main)).toEqual({
      DOCKER_CONFIG: dirname(job.files.docker),
      REGISTRY_AUTH_FILE: job.files.containers,
    });
    for (const server of [REGISTRIES.contoso, REGISTRIES.noarm]) {
      await expectPull(job, server);
      await expectPull(job, server, job.files.containers);
    }
    // No config existed: the post-job step removes the files it created; HOME never got any.
    const post = await runPost(job, main);
    expect(post.code).toBe(0);
    for (const file of [job.files.docker, job.files.containers, job.dockerConfig]) {
      expect(existsSync(file), file).toBe(false);
    }
    expect(existsSync(join(job.home, 'run', 'containers', 'auth.json'))).toBe(false);
  });

  test('anonymous: no credentials written, nothing to log out', async () => {
    const job = await newJob();
    const main = await runBundle('main', {
      ...job.env,
      ...inputs({ authType: 'anonymous', registry: 'public' }),
    });
    expect(main.code, main.stdout).toBe(0);
    expect(outputs(main)).toMatchObject({
      loginServer: { value: REGISTRIES.public },
      username: { value: '' },
      password: { value: '', secret: true },
      dockerConfig: { value: '' },
    });
    expect(existsSync(job.dockerConfig)).toBe(false);
    const post = await runPost(job, main);
    expect(post.stdout).toContain('Nothing to log out');
  });

  test('repositories: the access variable, a pull secret file in Agent.TempDirectory, removed by the post-job step', async () => {
    const job = await newJob();
    const main = await runBundle('main', {
      ...job.env,
      ...inputs({
        azureSubscription: CONNECTION,
        registry: 'contoso',
        repositories: `app:push\n${HELLO_REPOSITORY}`,
        pullSecret: 'true',
      }),
      ...wifConnection(),
    });
    expect(main.code, main.stdout).toBe(0);
    const out = outputs(main);
    expect(JSON.parse(out.access?.value ?? '')).toEqual({
      [`${REGISTRIES.contoso}/app`]: ['pull', 'push'],
      [`${REGISTRIES.contoso}/${HELLO_REPOSITORY}`]: ['pull', 'push'],
    });
    const file = out.pullSecretFile?.value ?? '';
    expect(file.startsWith(`${job.env.AGENT_TEMPDIRECTORY}/`)).toBe(true);
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')).auths)).toEqual([REGISTRIES.contoso]);
    const post = await runPost(job, main);
    expect(post.code, post.stdout).toBe(0);
    expect(post.stdout).toContain(`Removed the pull secret file ${file}`);
    expect(existsSync(file)).toBe(false);
  });

  test('without pullSecret, no pull secret file is written and the variable is empty', async () => {
    const job = await newJob();
    const main = await runBundle('main', {
      ...job.env,
      ...inputs({ azureSubscription: CONNECTION, registry: 'contoso' }),
      ...wifConnection(),
    });
    expect(main.code, main.stdout).toBe(0);
    expect(outputs(main).pullSecretFile?.value).toBe('');
    const temp = job.env.AGENT_TEMPDIRECTORY ?? '';
    expect(readdirSync(temp).filter((name) => name.startsWith('acr-login-pull-secret-'))).toEqual([]);
  });

  test("repositories: a missing grant fails the task with the connection's app and the fix", async () => {
    const job = await newJob();
    const main = await runBundle('main', {
      ...job.env,
      ...inputs({ azureSubscription: CONNECTION, registry: 'contosoabac', repositories: 'app:push' }),
      ...wifConnection(),
    });
    expect(result(main)?.properties.result).toBe('Failed');
    const message = result(main)?.value ?? '';
    expect(message).toContain(`lacks access that "repositories" asks for`);
    expect(message).toContain(`--assignee ${emulator.scenario.apps.adoApp.clientId}`);
    expect(existsSync(job.dockerConfig)).toBe(false);
    expect(existsSync(job.files.docker)).toBe(false);
  });

  // Docker@2's `logout` without a registry deletes the folder DOCKER_CONFIG names when it lies in the
  // agent's temp directory, and clears the variable; with a registry, it removes only that entry from our
  // file (azure-pipelines-tasks-docker-common, containerconnection.ts).
  test('a later Docker@2 logout that deletes the job Docker folder: the post-job step still succeeds', async () => {
    const job = await newJob();
    await mkdir(dirname(job.dockerConfig), { recursive: true });
    await writeFile(job.dockerConfig, PREVIOUS_CONFIG, { mode: 0o600 });
    const main = await runBundle('main', {
      ...job.env,
      ...inputs({ azureSubscription: CONNECTION, registry: 'contoso' }),
      ...spConnection('secret'),
    });
    expect(main.code, main.stdout).toBe(0);
    const dockerConfig = jobVariables(main).DOCKER_CONFIG ?? '';
    expect(dockerConfig).toBe(dirname(job.files.docker));
    await rm(dockerConfig, { recursive: true, force: true });

    // Docker@2 also sets DOCKER_CONFIG to '' for the later tasks.
    const post = await runBundle('post', {
      ...job.env,
      ...jobVariables(main),
      DOCKER_CONFIG: '',
      ...taskVariables(main),
    });
    expect(post.code, post.stdout + post.stderr).toBe(0);
    expect(result(post)?.properties.result ?? 'Succeeded').toBe('Succeeded');
    expect(post.stdout).toContain('config.json" no longer exists: nothing to remove from it');
    expect(post.stdout).toContain('Logged out: 0 credential entries removed, 0 credential entries restored.');
    expect(existsSync(job.files.docker)).toBe(false);
    expect(await readFile(job.dockerConfig, 'utf8')).toBe(PREVIOUS_CONFIG);
  });

  test('a later Docker@2 login to another registry joins our job file; the post-job step keeps its entry', async () => {
    const job = await newJob();
    const main = await runBundle('main', {
      ...job.env,
      ...inputs({ azureSubscription: CONNECTION, registry: 'contoso' }),
      ...spConnection('secret'),
    });
    expect(main.code, main.stdout).toBe(0);
    // What Docker@2 writes: the file it found, its entry added, re-serialised without indentation.
    const config = JSON.parse(await readFile(job.files.docker, 'utf8'));
    config.auths['docker.io'] = { auth: 'ZG9ja2VyOmh1Yg==' };
    await writeFile(job.files.docker, JSON.stringify(config));

    const post = await runPost(job, main);
    expect(post.code, post.stdout + post.stderr).toBe(0);
    expect(post.stdout).toContain('Logged out: 1 credential entry removed, 0 credential entries restored.');
    const after = JSON.parse(await readFile(job.files.docker, 'utf8'));
    expect(after.auths).toEqual({ 'docker.io': { auth: 'ZG9ja2VyOmh1Yg==' } });
  });

  test('logout false: the post-job step leaves the credentials', async () => {
    const job = await newJob();
    const main = await runBundle('main', {
      ...job.env,
      ...inputs({ azureSubscription: CONNECTION, registry: 'contoso', logout: 'false' }),
      ...wifConnection(),
    });
    expect(main.code, main.stdout).toBe(0);
    const post = await runPost(job, main);
    expect(post.stdout).toContain('"logout" is false');
    await expectPull(job, REGISTRIES.contoso);
  });

  test.each([
    ['trusts the agent CA (Agent.CAInfo) where Node alone would not', true],
    ['without it the emulator certificate is refused: the control', false],
  ])('%s', async (_name, withAgentCa) => {
    const job = await newJob();
    // Node reads the CA file OpenSSL names, too: neither may tell it about the emulator's CA.
    const { NODE_EXTRA_CA_CERTS: _ca, SSL_CERT_FILE: _openssl, ...env } = job.env;
    const main = await runBundle('main', {
      ...env,
      ...(withAgentCa ? { AGENT_CAINFO: emulator.caFile } : {}),
      ...inputs({ azureSubscription: CONNECTION, registry: 'contoso' }),
      ...spConnection('secret'),
    });
    if (withAgentCa) {
      expect(main.code, main.stdout).toBe(0);
      expect(result(main)?.properties.result).not.toBe('Failed');
      expect(main.stdout).toContain(`Using the agent's certificate settings: CA ${emulator.caFile}`);
      await expectPull(job, REGISTRIES.contoso);
      // The renewal agent runs outside the task, without the CA in its environment: it trusts the CA because
      // the task handed it the agent's CA file. A token due within seconds makes it renew.
      const renewing = await newJob();
      const { NODE_EXTRA_CA_CERTS: _ca2, SSL_CERT_FILE: _openssl2, ...renewingEnv } = renewing.env;
      emulator.setLifetimes({ refreshToken: 8 });
      let again: TaskRun;
      try {
        again = await runBundle('main', {
          ...renewingEnv,
          AGENT_CAINFO: emulator.caFile,
          ...inputs({ azureSubscription: CONNECTION, registry: 'contoso', renew: 'true' }),
          ...spConnection('secret'),
        });
      } finally {
        emulator.setLifetimes({ refreshToken: REFRESH_TOKEN_LIFETIME });
      }
      expect(again.code, again.stdout).toBe(0);
      const binDir = again.commands.find((c) => c.name === 'task.prependpath')?.value ?? '';
      expect(binDir).toContain(renewing.env.AGENT_TEMPDIRECTORY);
      await sleep(8_000);
      const helper = join(binDir, `docker-credential-${binDir.split('/').at(-2) ?? ''}`);
      const renewed = await run(helper, ['get'], {
        env: { PATH: '/usr/bin:/bin' },
        stdin: REGISTRIES.contoso,
      });
      expect(renewed.code, renewed.stdout + renewed.stderr).toBe(0);
      expect(JSON.parse(renewed.stdout).Secret).not.toBe(outputs(again).password?.value);
      expect((await runPost(renewing, again)).code).toBe(0);
    } else {
      const complete = result(main);
      expect(complete?.properties.result).toBe('Failed');
      expect(complete?.value).toContain('is not trusted here (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
      expect(complete?.value).toContain('Agent.CAInfo');
      expect(existsSync(job.dockerConfig)).toBe(false);
    }
  });

  test('without an agent proxy, HTTPS_PROXY is honoured', async () => {
    const job = await newJob();
    const { AGENT_PROXYURL: _url, AGENT_PROXYBYPASSLIST: _bypass, ...env } = job.env;
    const main = await runBundle('main', {
      ...env,
      HTTPS_PROXY: emulator.proxyUrl,
      NO_PROXY: '127.0.0.1,localhost',
      ...inputs({ azureSubscription: CONNECTION, registry: 'contoso' }),
      ...wifConnection(),
    });
    expect(main.code, main.stdout).toBe(0);
    expect(main.stdout).not.toContain("Using the agent's proxy");
    await expectPull(job, REGISTRIES.contoso);
  });
});

describe('the connection environment selects the cloud', () => {
  test.each([
    ['AzureChinaCloud', {}, REGISTRIES.fabrikam, 'fabrikam', AUTHORITY_HOSTS.AzureChinaCloud],
    ['AzureUSGovernment', {}, REGISTRIES.usgov, 'usgov', AUTHORITY_HOSTS.AzureUSGovernment],
    // Azure Stack Hub: the authority from the connection, the registry suffix from the login server.
    [
      'AzureStack',
      { activeDirectoryAuthority: 'https://login.azurestack.contoso.test/' },
      REGISTRIES.contoso,
      REGISTRIES.contoso,
      AUTHORITY_HOSTS.custom,
    ],
  ])('%s', async (environment, data, server, registry, authority) => {
    const job = await newJob();
    emulator.resetRequests();
    const { clientId, secret } = emulator.scenario.apps.spSecret;
    const main = await runBundle('main', {
      ...job.env,
      ...inputs({ azureSubscription: CONNECTION, registry }),
      ...endpoint(
        CONNECTION,
        'ServicePrincipal',
        {
          serviceprincipalid: clientId,
          tenantid: tenantId(),
          authenticationType: 'spnKey',
          serviceprincipalkey: secret ?? '',
        },
        { environment, ...data },
      ),
    });
    expect(main.code, main.stdout).toBe(0);
    expect(outputs(main).loginServer?.value).toBe(server);
    expect(emulator.count({ host: authority, status: 200 })).toBeGreaterThan(0);
    await expectPull(job, server);
  });
});

describe('failures name the connection, the scheme, the registry and the fix', () => {
  async function fail(env: Record<string, string>) {
    const job = await newJob();
    const run = await runBundle('main', { ...job.env, ...env });
    const complete = result(run);
    expect(complete?.properties.result).toBe('Failed');
    expect(existsSync(job.dockerConfig)).toBe(false);
    expect(existsSync(job.files.docker)).toBe(false);
    return { run, message: complete?.value ?? '' };
  }

  test('WIF: the ID token request refused (connection not authorised for the pipeline)', async () => {
    const { run, message } = await fail({
      ...inputs({ azureSubscription: CONNECTION, registry: 'contoso' }),
      ...wifConnection(),
      ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: 'not-the-job-token-0123456789',
    });
    // The first line: the Azure DevOps request, its status, and both fixes; Entra is not blamed.
    const [first = ''] = message.split('\n');
    expect(first).toMatch(
      new RegExp(
        `^Registry "contoso\\.azurecr\\.io": Azure DevOps refused the OIDC token request for service connection ${CONNECTION} \\(HTTP 401\\)`,
      ),
    );
    expect(first).toContain(`Authorise service connection ${CONNECTION} for this pipeline`);
    expect(first).toContain('check that the job access token (System.AccessToken) can use it');
    expect(message).not.toContain('did not issue a token');
    expect(message).not.toContain('If Microsoft Entra refused the federated token');
    expect(message).toContain(
      `Service connection ${CONNECTION} (scheme WorkloadIdentityFederation, registries contoso)`,
    );
    expectMaskedFirst(run, ['not-the-job-token-0123456789']);
  });

  test('a service principal without a role on the registry', async () => {
    const { run, message } = await fail({
      ...inputs({ azureSubscription: CONNECTION, registry: 'contoso' }),
      ...spConnection('secret', 'spNoRole'),
    });
    expect(message).toContain('contoso.azurecr.io');
    expect(message).toContain(`(scheme ServicePrincipal, registries contoso)`);
    expect(message).toContain(`app ${emulator.scenario.apps.spNoRole.clientId}) the AcrPull role`);
    expectMaskedFirst(run, [emulator.scenario.apps.spNoRole.secret ?? '']);
  });

  test('a connection the job cannot see; the post-job step then has nothing to undo', async () => {
    const { run, message } = await fail(inputs({ azureSubscription: CONNECTION, registry: 'contoso' }));
    expect(message).toContain(`Service connection "${CONNECTION}" is not available to this job`);
    const post = await runPost(await newJob(), run);
    expect(post.code).toBe(0);
    expect(post.stdout).toContain('Nothing to log out: the login step wrote no credentials.');
  });

  test('no IMDS on the machine: managed identity explained', async () => {
    const job = await newJob();
    const run = await runBundle('main', {
      ...job.env,
      AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://127.0.0.1:${await closedPort()}`,
      ...inputs({ authType: 'managedIdentity', registry: 'contoso' }),
    });
    expect(result(run)?.properties.result).toBe('Failed');
    expect(result(run)?.value).toContain('Managed identities exist only on self-hosted agents');
  });
});

test('a rejection no code path catches, in the bundle as the agent runs it: the error issue and Failed', async () => {
  const job = await newJob();
  // Stands in for a library callback that fails while the step runs or right after it: a promise rejected
  // 1.5 s after start, which nothing awaits.
  const preload = `data:text/javascript,${encodeURIComponent(
    "setTimeout(() => { Promise.reject(new Error('boom from a library callback')); }, 1500);",
  )}`;
  const child = await run(NODE, ['--import', preload, BUNDLES.task.main], {
    env: { ...job.env, ...inputs({ authType: 'managedIdentity', registry: 'contoso' }) },
  });
  const commands = parseCommands(child.stdout);
  expect(child.code, child.stdout + child.stderr).toBe(1);
  expect(
    commands.filter((c) => c.name === 'task.issue' && c.properties.type === 'error').map((c) => c.value),
  ).toContain('boom from a library callback');
  const last = commands.filter((c) => c.name === 'task.complete').at(-1);
  expect(last).toMatchObject({ properties: { result: 'Failed' }, value: 'boom from a library callback' });
});
