import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { processAlive } from '../../packages/core/src/renew/agent.ts';
import { type Emulator, HELLO_REPOSITORY, REGISTRIES, startEmulator } from '../emulator/index.ts';
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
import { expectToolsInCi, type RunResult, run, skopeoPush } from '../support/clients.ts';
import {
  allExpiredAt,
  buildahPull,
  LIFETIMES,
  parallelGets,
  pathWith,
  podmanPull,
  privateKeyLines,
  sleepUntil,
} from '../support/renew.ts';
import { filesHolding } from '../support/secrets.ts';

/**
 * The action's bundle with `renew: true`, run as the runner runs it: the main step, later steps whose PATH
 * holds what the step added (GITHUB_PATH), then the post step. Refresh tokens live 20 s and GitHub OIDC
 * tokens 10 s here; the later steps run after both expired. Debug logging is on throughout.
 */

const hello = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`;
let emulator: Emulator;

interface ActionJob {
  readonly job: Job;
  readonly main: StepResult;
  /** Folders the step put on PATH. */
  readonly paths: readonly string[];
  /** Everything printed so far by the steps and the clients, for the secrets check. */
  readonly logs: string[];
  clientEnv(tools: readonly string[]): Promise<Record<string, string>>;
}

async function mainStep(
  inputs: Record<string, string>,
  before?: (job: Job) => Promise<void>,
): Promise<ActionJob> {
  const job = await newJob(emulator.dir);
  const pathFile = join(job.dir, 'path');
  await writeFile(pathFile, '');
  job.env.GITHUB_PATH = pathFile;
  job.env.RUNNER_DEBUG = '1';
  job.env.XDG_RUNTIME_DIR = join(job.home, 'run');
  await before?.(job);
  const main = await runStep(ACTION_BUNDLE, job, { ...emulator.env(), ...inputEnv(inputs) });
  const paths = (await readFile(pathFile, 'utf8')).split('\n').filter((line) => line !== '');
  return {
    job,
    main,
    paths,
    logs: [main.stdout, main.stderr],
    // A later step gets what the step exported (GITHUB_ENV): the job's own client files.
    clientEnv: async (tools) =>
      emulator.env({
        HOME: job.home,
        XDG_RUNTIME_DIR: job.env.XDG_RUNTIME_DIR ?? '',
        ...(await exportedEnv(job)),
        PATH: await pathWith(paths, tools),
      }),
  };
}

function postStep(action: ActionJob): Promise<StepResult> {
  return runStep(ACTION_BUNDLE, action.job, { ...emulator.env(), ...stateEnv(action.main.state) });
}

/** The renewal agent's process id, from the state the main step saved for its post step. */
function agentPid(action: ActionJob): number {
  return (JSON.parse(action.main.state.renewal ?? '{}') as { agentPid?: number }).agentPid ?? 0;
}

const helperOf = (action: ActionJob) => action.paths[0]?.split('/').at(-2) ?? '';

function logged(action: ActionJob, result: RunResult): RunResult {
  action.logs.push(result.stdout, result.stderr);
  return result;
}

let renewing: ActionJob;
let control: ActionJob;
let admin: ActionJob;
/** `renew: true` with a service principal's secret, and with its certificate (PEM with the private key). */
let withSecret: ActionJob;
let withCertificate: ActionJob;
let userConfig: string;
let allExpired: number;
/** The token the helper renewed: it must appear in no log either. */
let renewedSecret = '';

beforeAll(async () => {
  expectToolsInCi(['skopeo', 'docker', 'podman', 'buildah']);
  emulator = await startEmulator({
    lifetimes: { refreshToken: LIFETIMES.refreshToken, githubOidc: LIFETIMES.oidc },
  });
  const app = emulator.scenario.apps.githubApp;
  const oidc = { registry: 'contoso', 'client-id': app.clientId, 'tenant-id': emulator.scenario.tenantId };
  userConfig = `${JSON.stringify({ auths: { 'ghcr.io': { auth: 'dXNlcjp0b2tlbg==' } }, credHelpers: { 'gcr.io': 'gcloud' } }, null, 2)}\n`;
  const sp = emulator.scenario.apps.spSecret;
  const cert = emulator.scenario.apps.spCert;
  const tenant = { 'tenant-id': emulator.scenario.tenantId, registry: 'contoso', renew: 'true' };
  [renewing, control, admin, withSecret, withCertificate] = await Promise.all([
    mainStep({ ...oidc, clients: 'docker,podman', renew: 'true' }, async (job) => {
      await mkdir(join(job.home, '.docker'));
      await writeFile(job.dockerConfig, userConfig);
    }),
    mainStep(oidc),
    mainStep({
      registry: 'contoso',
      username: 'hello-reader',
      password: emulator.scenario.registries.get(REGISTRIES.contoso)?.tokens[0]?.password ?? '',
      renew: 'true',
    }),
    mainStep({ ...tenant, 'client-id': sp.clientId, 'client-secret': sp.secret ?? '' }),
    mainStep({ ...tenant, 'client-id': cert.clientId, 'client-certificate': cert.certPem ?? '' }),
  ]);
  const expiries = [renewing, control].map((a) => Date.parse(a.main.outputs['expires-on'] ?? ''));
  allExpired = allExpiredAt(expiries);
}, 120_000);
afterAll(async () => {
  // A failed test may have left an agent: end it as the post step would.
  for (const action of [renewing, withSecret, withCertificate]) {
    if (action !== undefined && processAlive(agentPid(action))) await postStep(action);
  }
  await emulator?.stop();
});

describe('the main step', () => {
  test('with renew: sets up the helper, puts it on PATH, says when it renews, and outputs renews=true', () => {
    const { main } = renewing;
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).not.toContain('::error::');
    expect(main.outputs.renews).toBe('true');
    expect(renewing.paths).toHaveLength(1);
    expect(renewing.paths[0]).toMatch(
      new RegExp(`^${renewing.job.env.RUNNER_TEMP}/acr-login-[0-9a-f]{8}/bin$`),
    );
    expect(main.stdout).toMatch(
      /Renewal is on: clients ask the credential helper docker-credential-acr-login-[0-9a-f]{8}/,
    );
    expect(main.summary).toContain('Renewal is on');
  });

  test("the credHelpers entries go to the job's own files; the user's Docker config is untouched", async () => {
    const helper = renewing.paths[0]?.split('/').at(-2) ?? '';
    for (const file of [renewing.job.files.docker, renewing.job.files.containers]) {
      const config = JSON.parse(await readFile(file, 'utf8'));
      expect(config.credHelpers?.[REGISTRIES.contoso], file).toBe(helper);
    }
    expect(await readFile(renewing.job.dockerConfig, 'utf8')).toBe(userConfig);
  });

  test('with a secret or a certificate: no file of the job (HOME, RUNNER_TEMP, the runner files) holds it', async () => {
    const sp = emulator.scenario.apps.spSecret.secret ?? '';
    const key = privateKeyLines(emulator.scenario.apps.spCert.certPem ?? '');
    expect(sp.length).toBeGreaterThan(10);
    expect(key.length).toBeGreaterThan(5);
    for (const action of [withSecret, withCertificate]) {
      expect(action.main.code, action.main.stdout + action.main.stderr).toBe(0);
      expect(action.main.outputs.renews).toBe('true');
      expect(processAlive(agentPid(action))).toBe(true);
    }
    expect(await filesHolding(withSecret.job.dir, [sp])).toEqual([]);
    expect(await filesHolding(withCertificate.job.dir, key)).toEqual([]);
    // The control: the scan finds a secret where one is, the registry credential in the cache.
    const cached = withSecret.main.outputs.password ?? '';
    expect((await filesHolding(withSecret.job.dir, [cached])).join()).toContain(
      `/cache/${REGISTRIES.contoso}.json`,
    );
  });

  test('without renew: the log and the summary give the expiry and name renew; renews=false', () => {
    const { main } = control;
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.outputs.renews).toBe('false');
    const line = `The credentials expire at ${main.outputs['expires-on']}.`;
    expect(main.stdout).toContain(line);
    expect(main.stdout).toContain('set "renew" to true');
    expect(main.summary).toContain(line);
    expect(control.paths).toEqual([]);
  });

  test('a registry password has nothing to renew: one line, no failure', () => {
    const { main } = admin;
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.outputs.renews).toBe('false');
    expect(main.stdout).toContain(
      'Nothing to renew although "renew" is true: a registry password does not expire',
    );
    expect(admin.paths).toEqual([]);
  });
});

describe(`after the ${LIFETIMES.refreshToken} s refresh token and the ${LIFETIMES.oidc} s OIDC token expired`, () => {
  beforeAll(() => sleepUntil(allExpired), 60_000);

  test('20 parallel gets make one OIDC request, one Entra request and one exchange', async () => {
    emulator.resetRequests();
    const helper = renewing.paths[0]?.split('/').at(-2) ?? '';
    renewedSecret = (await parallelGets(helper, REGISTRIES.contoso, await renewing.clientEnv([]))).secret;
    expect(renewedSecret).not.toBe(renewing.main.outputs.password);
    expect(emulator.count({ service: 'github' })).toBe(1);
    expect(emulator.count({ service: 'entra', method: 'POST' })).toBe(1);
    expect(emulator.count({ service: 'acr', path: '/oauth2/exchange' })).toBe(1);
  });

  test('a secret and a certificate renew through their agents', async () => {
    for (const action of [withSecret, withCertificate]) {
      emulator.resetRequests();
      const renewed = await parallelGets(helperOf(action), REGISTRIES.contoso, await action.clientEnv([]), 5);
      expect(renewed.secret).not.toBe(action.main.outputs.password);
      expect(emulator.count({ service: 'entra', method: 'POST' })).toBe(1);
      expect(emulator.count({ service: 'acr', path: '/oauth2/exchange' })).toBe(1);
      const pulled = await run('docker', ['manifest', 'inspect', hello], {
        env: await action.clientEnv(['docker']),
      });
      expect(pulled.code, pulled.stderr).toBe(0);
    }
  });

  test('docker reads the renewed token (docker manifest inspect, no daemon)', async () => {
    const result = logged(
      renewing,
      await run('docker', ['manifest', 'inspect', hello], { env: await renewing.clientEnv(['docker']) }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ schemaVersion: 2 });
  });

  test('skopeo pushes with the Docker config', async () => {
    const pushed = logged(
      renewing,
      await skopeoPush(hello, `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:renewed-action`, {
        env: await renewing.clientEnv(['skopeo']),
        authFile: renewing.job.files.docker,
      }),
    );
    expect(pushed.code, pushed.stderr).toBe(0);
  });

  test('podman and buildah pull with the containers auth file', async () => {
    const env = await renewing.clientEnv(['podman', 'buildah']);
    const image = hello; // seeded by the emulator: this test reads no other test's push
    const podman = logged(renewing, await podmanPull(image, env));
    expect(podman.code, podman.stderr).toBe(0);
    const buildah = logged(renewing, await buildahPull(image, env));
    expect(buildah.code, buildah.stderr).toBe(0);
  });

  test('control: without renew the same push fails, and the post step warns naming renew', async () => {
    const pushed = await skopeoPush(hello, `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:control-action`, {
      env: await control.clientEnv(['skopeo']),
      authFile: control.job.files.docker,
    });
    expect(pushed.code).not.toBe(0);
    expect(pushed.stderr).toMatch(/401|unauthorized/i);
    const post = await postStep(control);
    expect(post.code).toBe(0);
    expect(post.stdout).toMatch(
      /::warning::This job ran past .*: a client that used them after that got 401 Unauthorized\. Set "renew" to true/,
    );
  });
});

describe('the post step', () => {
  test("removes the helper entries, the helper and its state, and gives back the user's config byte for byte", async () => {
    const post = await postStep(renewing);
    renewing.logs.push(post.stdout, post.stderr);
    expect(post.code, post.stdout).toBe(0);
    expect(post.stdout).toContain('Renewal stopped: 2 credential helper entries removed, 0 restored');
    expect(post.stdout).not.toContain('::warning::');
    expect(processAlive(agentPid(renewing))).toBe(false);
    expect(await readFile(renewing.job.dockerConfig, 'utf8')).toBe(userConfig);
    // The job's copies are back to what was carried over: the Docker config, and for podman the Docker
    // login it would have found there; the user's containers file was never created.
    expect(await readFile(renewing.job.files.docker, 'utf8')).toBe(userConfig);
    expect(JSON.parse(await readFile(renewing.job.files.containers, 'utf8'))).toEqual({
      auths: { 'ghcr.io': { auth: 'dXNlcjp0b2tlbg==' } },
    });
    const runtimeFile = join(renewing.job.env.XDG_RUNTIME_DIR ?? '', 'containers', 'auth.json');
    await expect(readFile(runtimeFile)).rejects.toMatchObject({ code: 'ENOENT' });
    // The helper and its state are gone; the job's client files stay for later post steps, and the runner
    // empties RUNNER_TEMP after the job.
    expect(await readdir(renewing.job.env.RUNNER_TEMP ?? '')).toEqual(['acr-login-config']);
  });

  test('with a secret or a certificate: the agent is gone after the post step, with its files', async () => {
    for (const action of [withSecret, withCertificate]) {
      const pid = agentPid(action);
      expect(processAlive(pid)).toBe(true);
      const post = await postStep(action);
      expect(post.code, post.stdout).toBe(0);
      expect(post.stdout).toContain('Renewal stopped');
      expect(processAlive(pid)).toBe(false);
      expect(await readdir(action.job.env.RUNNER_TEMP ?? '')).toEqual(['acr-login-config']);
    }
  });

  test('with debug on, no secret appears in any log: steps, helper and clients', async () => {
    const app = emulator.scenario.apps.githubApp;
    const secrets = [renewing.main.outputs.password ?? '', emulator.github.requestToken, renewedSecret];
    expect(renewedSecret).not.toBe('');
    const text = renewing.logs.join('\n');
    expect(text).toContain('::debug::');
    for (const secret of secrets) {
      const shown = text
        .split('\n')
        .filter((line) => line.includes(secret) && line !== `::add-mask::${secret}`);
      expect(shown, `${secret.slice(0, 6)}...`).toEqual([]);
    }
    expect(text).toContain(app.clientId);
  });
});
