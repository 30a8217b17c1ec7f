import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ADO_SERVICE_CONNECTION,
  type Emulator,
  HELLO_REPOSITORY,
  REGISTRIES,
  startEmulator,
} from '../emulator/index.ts';
import {
  ACTION_BUNDLE,
  exportedEnv,
  inputEnv,
  newJob,
  runStep,
  stateEnv,
} from '../support/actions-runner.ts';
import {
  agentEnv,
  endpoint,
  jobVariables,
  runTask,
  taskInputEnv,
  taskOutputs,
  taskVariables,
} from '../support/azure-pipelines-agent.ts';
import { expectToolsInCi, hasTool, type RunResult, run } from '../support/clients.ts';
import { type Dockerd, startDockerd } from '../support/dockerd.ts';
import { allExpiredAt, LIFETIMES, pathWith, sleepUntil } from '../support/renew.ts';

/**
 * A real Docker daemon (Debian's docker.io) behind the emulator's proxy, with both bundles. Later steps see
 * only what the step left for them (the exported DOCKER_CONFIG, the helper folder on PATH) and talk to the
 * daemon through DOCKER_HOST: the CLI reads the credentials and hands them to the daemon, which pulls,
 * builds (classic builder) and pushes. The renewing jobs log in after the emulator's lifetimes were
 * shortened, and push after everything of their login expired.
 */

const CONNECTION = ADO_SERVICE_CONNECTION.id;
const hello = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`;
const TOOLS = ['dockerd', 'docker'];

interface Job {
  readonly name: string;
  /** The user's Docker config under HOME. */
  readonly dockerConfig: string;
  readonly main: RunResult;
  /** The main step succeeded: the bundle's own word for it. */
  readonly succeeded: boolean;
  /** The `expires-on` output. */
  readonly expiresOn: string;
  /** A later step's environment: the exported files, the prepended PATH, the daemon. */
  later(): Promise<Record<string, string>>;
  post(): Promise<RunResult & { readonly succeeded: boolean }>;
}

let emulator: Emulator;
let daemon: Dockerd;

async function actionJob(inputs: Record<string, string>, userConfig?: string): Promise<Job> {
  const job = await newJob(emulator.dir);
  const pathFile = join(job.dir, 'path');
  await writeFile(pathFile, '');
  job.env.GITHUB_PATH = pathFile;
  if (userConfig !== undefined) {
    await mkdir(join(job.home, '.docker'));
    await writeFile(job.dockerConfig, userConfig);
  }
  const app = emulator.scenario.apps.githubApp;
  const oidc = { registry: 'contoso', 'client-id': app.clientId, 'tenant-id': emulator.scenario.tenantId };
  const main = await runStep(ACTION_BUNDLE, job, { ...emulator.env(), ...inputEnv({ ...oidc, ...inputs }) });
  const paths = (await readFile(pathFile, 'utf8')).split('\n').filter((line) => line !== '');
  return {
    name: 'action',
    dockerConfig: job.dockerConfig,
    main,
    succeeded: main.code === 0 && !main.stdout.includes('::error::'),
    expiresOn: main.outputs['expires-on'] ?? '',
    later: async () =>
      emulator.env({
        HOME: job.home,
        ...(await exportedEnv(job)),
        PATH: await pathWith(paths, ['docker']),
        DOCKER_HOST: daemon.host,
        DOCKER_BUILDKIT: '0',
      }),
    post: async () => {
      const post = await runStep(ACTION_BUNDLE, job, { ...emulator.env(), ...stateEnv(main.state) });
      return { ...post, succeeded: post.code === 0 && !post.stdout.includes('::error::') };
    },
  };
}

async function taskJob(inputs: Record<string, string>, userConfig?: string): Promise<Job> {
  const home = await mkdtemp(join(emulator.dir, 'agent-'));
  const env = await agentEnv(emulator, home);
  const dockerConfig = join(home, '.docker', 'config.json');
  if (userConfig !== undefined) {
    await mkdir(join(home, '.docker'));
    await writeFile(dockerConfig, userConfig);
  }
  const connection = endpoint(CONNECTION, 'WorkloadIdentityFederation', {
    serviceprincipalid: emulator.scenario.apps.adoApp.clientId,
    tenantid: emulator.scenario.tenantId,
  });
  const main = await runTask('main', {
    ...env,
    ...connection,
    ...taskInputEnv({ azureSubscription: CONNECTION, registry: 'contoso', ...inputs }),
  });
  const paths = main.commands.filter((c) => c.name === 'task.prependpath').map((c) => c.value);
  const failed = (commands: typeof main.commands) =>
    commands.some((c) => c.name === 'task.complete' && c.properties.result === 'Failed');
  return {
    name: 'task',
    dockerConfig,
    main,
    succeeded: main.code === 0 && !failed(main.commands),
    expiresOn: taskOutputs(main).expiresOn?.value ?? '',
    // The agent keeps its proxy in its settings: a later step's renewing helper finds it in its state.
    later: async () => ({
      ...env,
      ...jobVariables(main),
      PATH: await pathWith(paths, ['docker']),
      DOCKER_HOST: daemon.host,
      DOCKER_BUILDKIT: '0',
    }),
    post: async () => {
      const post = await runTask('post', { ...env, ...jobVariables(main), ...taskVariables(main) });
      return { ...post, succeeded: post.code === 0 && !failed(post.commands) };
    },
  };
}

const docker = async (job: Job, args: readonly string[], cwd?: string): Promise<RunResult> =>
  run('docker', args, { env: await job.later(), ...(cwd === undefined ? {} : { cwd }) });

async function ok(result: RunResult, what: string): Promise<void> {
  if (result.code === 0) return;
  const log = (await daemon.log()).split('\n').slice(-30).join('\n');
  expect(result.code, `${what}:\n${result.stdout}\n${result.stderr}\ndockerd's log:\n${log}`).toBe(0);
}

/** A Dockerfile `FROM` the private image, built with the classic builder, which pulls it (--pull). */
async function build(job: Job, tag: string): Promise<RunResult> {
  const context = await mkdtemp(join(emulator.dir, 'build-'));
  await writeFile(join(context, 'Dockerfile'), `FROM ${hello}\nLABEL built-by=${job.name}\n`);
  return docker(job, ['build', '--pull', '--tag', tag, context]);
}

const available = TOOLS.every(hasTool);
let plain: Job[] = [];
let renewing: Job[] = [];
/**
 * What the renewing jobs' users keep: their own helper for the registry. The action's user names one that
 * is not installed (the retired acr-env), the task's user one that is (pass, with no store set up).
 */
const USER_HELPERS: Record<string, string> = { action: 'acr-env', task: 'pass' };
const userConfig = (name: string) =>
  `${JSON.stringify({ auths: {}, credHelpers: { [REGISTRIES.contoso]: USER_HELPERS[name], 'gcr.io': 'gcloud' } }, null, 2)}\n`;
let allExpired = 0;

describe.skipIf(!available && !process.env.CI)('a real Docker daemon', () => {
  beforeAll(async () => {
    // In CI a missing dockerd fails here; elsewhere the file is skipped (apt-get install -y docker.io).
    expectToolsInCi(TOOLS);
    emulator = await startEmulator();
    const { HTTPS_PROXY = '', NO_PROXY = '', SSL_CERT_FILE = '' } = emulator.env();
    [daemon, plain] = await Promise.all([
      startDockerd({ env: { HTTPS_PROXY, NO_PROXY, SSL_CERT_FILE } }),
      Promise.all([actionJob({}), taskJob({})]),
    ]);
    // Tokens issued from here on expire within the test; the plain jobs keep their long-lived ones.
    emulator.setLifetimes({
      refreshToken: LIFETIMES.refreshToken,
      githubOidc: LIFETIMES.oidc,
      adoOidc: LIFETIMES.oidc,
    });
    renewing = await Promise.all([
      actionJob({ renew: 'true' }, userConfig('action')),
      taskJob({ renew: 'true' }, userConfig('task')),
    ]);
    allExpired = allExpiredAt(renewing.map((job) => Date.parse(job.expiresOn)));
  }, 180_000);
  afterAll(async () => {
    await daemon?.stop();
    await emulator?.stop();
  }, 60_000);

  describe.each(['action', 'task'])('the %s, then later steps with the daemon', (name) => {
    const job = () => plain.find((j) => j.name === name) as Job;

    test('the main step logs in', () => {
      expect(job().succeeded, job().main.stdout + job().main.stderr).toBe(true);
    });

    test('docker pull of a private image', async () => {
      await ok(await docker(job(), ['pull', hello]), 'docker pull');
    });

    test('docker build (classic builder) FROM the private image, then docker push of the result', async () => {
      const tag = `${REGISTRIES.contoso}/built:${name}`;
      const built = await build(job(), tag);
      await ok(built, 'docker build');
      expect(built.stdout).toContain(`Step 1/2 : FROM ${hello}`);
      await ok(await docker(job(), ['push', tag]), 'docker push');
    });

    test('docker push of a new tag', async () => {
      const tag = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:daemon-${name}`;
      await ok(await docker(job(), ['tag', hello, tag]), 'docker tag');
      await ok(await docker(job(), ['push', tag]), 'docker push');
    });

    test('after the post step, a pull of the private image fails', async () => {
      const post = await job().post();
      expect(post.succeeded, post.stdout + post.stderr).toBe(true);
      const pulled = await docker(job(), ['pull', `${REGISTRIES.contoso}/built:${name}`]);
      expect(pulled.code).not.toBe(0);
      expect(pulled.stderr).toMatch(/unauthorized|authentication required|denied/i);
    });
  });

  describe(`renew: true, over the user's credHelpers entry for the registry`, () => {
    beforeAll(() => sleepUntil(allExpired), 60_000);

    test.each(['action', 'task'])(
      "the %s logs in, the job's config routes the registry to its helper",
      async (name) => {
        const job = renewing.find((j) => j.name === name) as Job;
        expect(job.succeeded, job.main.stdout + job.main.stderr).toBe(true);
        const env = await job.later();
        const config = JSON.parse(await readFile(join(env.DOCKER_CONFIG ?? '', 'config.json'), 'utf8'));
        expect(config.credHelpers[REGISTRIES.contoso]).toMatch(/^acr-login-[0-9a-f]{8}$/);
        expect(config.credHelpers['gcr.io']).toBe('gcloud');
      },
    );

    test.each(['action', 'task'])(
      'the %s: after every token of the login expired, the daemon pulls and pushes with fresh credentials',
      async (name) => {
        const job = renewing.find((j) => j.name === name) as Job;
        expect(Date.now()).toBeGreaterThan(allExpired);
        emulator.resetRequests();
        await ok(await docker(job, ['pull', hello]), 'docker pull');
        const tag = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:renewed-daemon-${name}`;
        await ok(await docker(job, ['tag', hello, tag]), 'docker tag');
        await ok(await docker(job, ['push', tag]), 'docker push');
        // The helper got a new refresh token: the one of the login had expired.
        expect(emulator.count({ service: 'acr', path: '/oauth2/exchange' })).toBeGreaterThanOrEqual(1);
      },
    );

    test.each(['action', 'task'])(
      "the %s's post step leaves the user's config and helper as they were",
      async (name) => {
        const job = renewing.find((j) => j.name === name) as Job;
        const post = await job.post();
        expect(post.succeeded, post.stdout + post.stderr).toBe(true);
        expect(await readFile(job.dockerConfig, 'utf8')).toBe(userConfig(name));
        const env = await job.later();
        const config = JSON.parse(await readFile(join(env.DOCKER_CONFIG ?? '', 'config.json'), 'utf8'));
        expect(config.credHelpers).toEqual({ [REGISTRIES.contoso]: USER_HELPERS[name], 'gcr.io': 'gcloud' });
        // The user's helper was never asked: pass would have needed a store under HOME.
        expect(existsSync(join(dirname(dirname(job.dockerConfig)), '.password-store'))).toBe(false);
      },
    );
  });
});
