import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ADO_SERVICE_CONNECTION,
  type Emulator,
  HELLO_REPOSITORY,
  REFRESH_TOKEN_USERNAME,
  REGISTRIES,
  startEmulator,
} from '../emulator/index.ts';
import {
  ACTION_BUNDLE,
  exportedEnv,
  inputEnv,
  type Job,
  newJob,
  runStep,
  type StepResult,
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
import { expectToolsInCi, type RunResult, run } from '../support/clients.ts';
import { pathWith } from '../support/renew.ts';

/**
 * Two jobs on one machine under one HOME (two runners or agents installed as one user), each with its own
 * temp directory, interleaved: A logs in, B logs in, A's docker step, B's docker step, A's post step, B's post
 * step. Run through the bundles as the runner and the agent run them, with the real docker CLI. Which credentials docker sent
 * is read from the registry's token requests: docker names the account it authenticates as, and A logs in
 * with an Entra identity (the null GUID and a refresh token) while B uses a repository-scoped token user.
 */

const hello = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`;
/** A login of the user's own in the shared HOME, as `docker login` wrote it. */
const USER_CONFIG = `${JSON.stringify({ auths: { 'ghcr.io': { auth: 'dXNlcjpwYXNz' } } }, null, '\t')}`;
const READER = 'hello-reader';

let emulator: Emulator;
beforeAll(async () => {
  expectToolsInCi(['docker', 'docker-registry']);
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

interface Interleaved {
  readonly home: string;
  readonly a: Job;
  readonly b: Job;
  readonly mainA: StepResult;
  readonly mainB: StepResult;
  /** The accounts docker authenticated as in each job's docker step, between the logins and the logouts. */
  readonly dockerA: readonly string[];
  readonly dockerB: readonly string[];
  readonly postA: StepResult;
  readonly postB: StepResult;
  /** The shared Docker config after both jobs. */
  readonly after: string;
}

/**
 * A later step of a job: `docker manifest inspect` (no daemon needed) with the variables the job exported,
 * and the accounts docker sent to the registry's token endpoint.
 */
async function dockerStep(
  variables: Record<string, string>,
  home: string,
): Promise<{ result: RunResult; accounts: string[] }> {
  emulator.resetRequests();
  const result = await run('docker', ['manifest', 'inspect', hello], {
    env: emulator.env({ HOME: home, ...variables, PATH: await pathWith([], ['docker']) }),
  });
  const accounts = emulator.requests
    .filter((request) => request.service === 'acr' && request.path === '/oauth2/token')
    .map((request) => request.query.account ?? '');
  return { result, accounts };
}

async function interleave(extra: Record<string, string>): Promise<Interleaved> {
  const home = await mkdtemp(join(emulator.dir, 'shared-home-'));
  await mkdir(join(home, '.docker'));
  await writeFile(join(home, '.docker', 'config.json'), USER_CONFIG, { mode: 0o600 });
  const [a, b] = [await newJob(emulator.dir), await newJob(emulator.dir)];
  a.env.HOME = home;
  b.env.HOME = home;
  const app = emulator.scenario.apps.spSecret;
  const reader = emulator.scenario.registries.get(REGISTRIES.contoso)?.tokens[0];
  expect(reader?.username).toBe(READER);
  const step = (job: Job, env: Record<string, string>) =>
    runStep(ACTION_BUNDLE, job, { ...emulator.env(), ...env });

  const mainA = await step(a, {
    ...inputEnv({
      registry: 'contoso',
      'client-id': app.clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-secret': app.secret ?? '',
      ...extra,
    }),
  });
  expect(mainA.code, mainA.stdout).toBe(0);
  const mainB = await step(b, {
    ...inputEnv({ registry: 'contoso', username: READER, password: reader?.password ?? '', ...extra }),
  });
  expect(mainB.code, mainB.stdout).toBe(0);
  const dockerA = await dockerStep(await exportedEnv(a), home);
  const dockerB = await dockerStep(await exportedEnv(b), home);
  for (const { result } of [dockerA, dockerB]) expect(result.code, result.stderr).toBe(0);
  const postA = await step(a, stateEnv(mainA.state));
  const postB = await step(b, stateEnv(mainB.state));
  for (const post of [postA, postB]) expect(post.code, post.stdout).toBe(0);
  return {
    home,
    a,
    b,
    mainA,
    mainB,
    dockerA: dockerA.accounts,
    dockerB: dockerB.accounts,
    postA,
    postB,
    after: await readFile(join(home, '.docker', 'config.json'), 'utf8'),
  };
}

/** Every file under `dir`, relative to it, links not followed. */
async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** Whether any file under `dir` holds the password, as such or in an `auth` value. */
async function holds(dir: string, username: string, password: string): Promise<string[]> {
  const pair = Buffer.from(`${username}:${password}`).toString('base64');
  const found: string[] = [];
  for (const file of await files(dir)) {
    const text = await readFile(join(dir, file), 'utf8').catch(() => '');
    if (text.includes(password) || text.includes(pair)) found.push(file);
  }
  return found;
}

describe('two interleaved jobs under one HOME, each logging in to client files of its own', () => {
  let jobs: Interleaved;
  beforeAll(async () => {
    jobs = await interleave({});
  }, 60_000);

  test("each job's docker step authenticates with its own credentials only", () => {
    expect(jobs.dockerA.length).toBeGreaterThan(0);
    expect(new Set(jobs.dockerA)).toEqual(new Set([REFRESH_TOKEN_USERNAME]));
    expect(jobs.dockerB.length).toBeGreaterThan(0);
    expect(new Set(jobs.dockerB)).toEqual(new Set([READER]));
  });

  test("each job's Docker config is its own, under its own RUNNER_TEMP", () => {
    expect(jobs.mainA.outputs['docker-config']).toBe(jobs.a.files.docker);
    expect(jobs.mainB.outputs['docker-config']).toBe(jobs.b.files.docker);
    expect(jobs.a.files.docker.startsWith(`${jobs.a.temp}/`)).toBe(true);
    expect(jobs.b.files.docker.startsWith(`${jobs.b.temp}/`)).toBe(true);
  });

  test('both post steps remove exactly their own entry: nothing is skipped, nothing restored', () => {
    for (const post of [jobs.postA, jobs.postB]) {
      expect(post.stdout).toContain('Logged out: 1 credential entry removed, 0 credential entries restored.');
      expect(post.stdout).not.toContain('::warning::');
    }
  });

  test("the user's Docker config is byte for byte as before, and HOME holds nothing else", async () => {
    expect(jobs.after).toBe(USER_CONFIG);
    expect(await files(jobs.home)).toEqual([join('.docker', 'config.json')]);
  });

  test("neither token is left anywhere: HOME, either job's files", async () => {
    const tokenA = jobs.mainA.outputs.password ?? '';
    const tokenB = jobs.mainB.outputs.password ?? '';
    expect(tokenA).not.toBe('');
    expect(tokenB).not.toBe('');
    for (const dir of [jobs.home, jobs.a.temp, jobs.b.temp]) {
      expect(await holds(dir, REFRESH_TOKEN_USERNAME, tokenA), dir).toEqual([]);
      expect(await holds(dir, READER, tokenB), dir).toEqual([]);
    }
    // Each job's copy is back to the user's config it started from.
    for (const job of [jobs.a, jobs.b]) expect(await readFile(job.files.docker, 'utf8')).toBe(USER_CONFIG);
  });
});

describe('control: isolate-config: false, both jobs in the Docker config under HOME', () => {
  let jobs: Interleaved;
  beforeAll(async () => {
    jobs = await interleave({ 'isolate-config': 'false' });
  }, 60_000);

  test("A's docker step authenticates with B's credentials", () => {
    expect(jobs.dockerA).toContain(READER);
    expect(jobs.dockerA).not.toContain(REFRESH_TOKEN_USERNAME);
  });

  test("A's post step leaves the entry, B's post step restores A's refresh token, which outlives both jobs", () => {
    expect(jobs.postA.stdout).toMatch(/::warning::Left contoso\.azurecr\.io in .*another login wrote it/);
    expect(jobs.postB.stdout).toContain(
      'Logged out: 0 credential entries removed, 1 credential entry restored.',
    );
    const auths = JSON.parse(jobs.after).auths as Record<string, { auth: string }>;
    const left = Buffer.from(auths[REGISTRIES.contoso]?.auth ?? '', 'base64').toString('utf8');
    expect(left).toBe(`${REFRESH_TOKEN_USERNAME}:${jobs.mainA.outputs.password}`);
    expect(jobs.after).not.toBe(USER_CONFIG);
  });
});

describe('two agents under one HOME, interleaved, through the task bundle', () => {
  test("each job's docker step sees only its own credentials, and nothing is left behind", async () => {
    const home = await mkdtemp(join(emulator.dir, 'shared-agent-home-'));
    await mkdir(join(home, '.docker'));
    await writeFile(join(home, '.docker', 'config.json'), USER_CONFIG, { mode: 0o600 });
    // Each agent has its own work folder, and so its own Agent.TempDirectory.
    const agent = async () => ({
      ...(await agentEnv(emulator, home)),
      AGENT_TEMPDIRECTORY: await mkdtemp(join(emulator.dir, 'agent-temp-')),
    });
    const [envA, envB] = [await agent(), await agent()];
    const app = emulator.scenario.apps.spSecret;
    const reader = emulator.scenario.registries.get(REGISTRIES.contoso)?.tokens[0];
    const connection = endpoint(ADO_SERVICE_CONNECTION.id, 'ServicePrincipal', {
      serviceprincipalid: app.clientId,
      tenantid: emulator.scenario.tenantId,
      authenticationType: 'spnKey',
      serviceprincipalkey: app.secret ?? '',
    });
    const mainA = await runTask('main', {
      ...envA,
      ...connection,
      ...taskInputEnv({ azureSubscription: ADO_SERVICE_CONNECTION.id, registry: 'contoso' }),
    });
    const mainB = await runTask('main', {
      ...envB,
      ...taskInputEnv({
        authType: 'usernamePassword',
        registry: 'contoso',
        username: READER,
        password: reader?.password ?? '',
      }),
    });
    for (const main of [mainA, mainB]) expect(main.code, main.stdout).toBe(0);

    const docker = async (variables: Record<string, string>) => {
      const { result, accounts } = await dockerStep(variables, home);
      expect(result.code, result.stderr).toBe(0);
      return new Set(accounts);
    };
    expect(await docker(jobVariables(mainA))).toEqual(new Set([REFRESH_TOKEN_USERNAME]));
    expect(await docker(jobVariables(mainB))).toEqual(new Set([READER]));

    for (const [env, main] of [
      [envA, mainA],
      [envB, mainB],
    ] as const) {
      const post = await runTask('post', { ...env, ...jobVariables(main), ...taskVariables(main) });
      expect(post.code, post.stdout).toBe(0);
      expect(post.stdout).toContain('Logged out: 1 credential entry removed, 0 credential entries restored.');
    }
    expect(await readFile(join(home, '.docker', 'config.json'), 'utf8')).toBe(USER_CONFIG);
    expect(await files(home)).toEqual([join('.docker', 'config.json')]);
    const tokenA = taskOutputs(mainA).password?.value ?? '';
    expect(tokenA).not.toBe('');
    for (const dir of [home, envA.AGENT_TEMPDIRECTORY, envB.AGENT_TEMPDIRECTORY]) {
      expect(await holds(dir, REFRESH_TOKEN_USERNAME, tokenA), dir).toEqual([]);
      expect(await holds(dir, READER, reader?.password ?? ''), dir).toEqual([]);
    }
  });
});
