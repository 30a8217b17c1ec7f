import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { JOB_DIRECTORY, jobClientFiles } from '../../packages/core/src/clients/isolate.ts';
import type { ClientFiles } from '../../packages/core/src/clients/paths.ts';
import { processAlive } from '../../packages/core/src/renew/agent.ts';
import {
  ADO_SERVICE_CONNECTION,
  type Emulator,
  HELLO_REPOSITORY,
  REGISTRIES,
  startEmulator,
} from '../emulator/index.ts';
import {
  agentEnv,
  endpoint,
  jobVariables,
  runTask,
  type TaskRun,
  taskInputEnv,
  taskOutputs,
  taskVariables,
} from '../support/azure-pipelines-agent.ts';
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
 * The task's bundle with `renew: true` and a workload identity federation connection, run as the agent runs
 * it: the agent's proxy in its variables (not HTTPS_PROXY), `task.prependpath` for the later steps, then the
 * post-job step. Refresh tokens live 20 s and Azure Pipelines OIDC tokens 10 s here; the later steps run
 * after both expired. SYSTEM_DEBUG is on throughout.
 */

const CONNECTION = ADO_SERVICE_CONNECTION.id;
const hello = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`;
let emulator: Emulator;

interface AgentJob {
  readonly home: string;
  readonly temp: string;
  readonly dockerConfig: string;
  /** The job's own client files under Agent.TempDirectory. */
  readonly files: ClientFiles;
  /** What every step of the job sees: agent variables, the CA; the proxy only as the agent's setting. */
  readonly env: Record<string, string>;
  readonly main: TaskRun;
  /** Folders the task prepended to PATH. */
  readonly paths: readonly string[];
  readonly logs: string[];
  /** A later step's environment: the job's, the prepended PATH and `tools`, and `extra`. */
  clientEnv(tools: readonly string[], extra?: Record<string, string>): Promise<Record<string, string>>;
}

type ConnectionKind = 'federation' | 'certificate' | 'secret';

/** The service connection: workload identity federation (System.AccessToken), a certificate or a secret. */
function connectionFor(kind: ConnectionKind): Record<string, string> {
  if (kind === 'federation') {
    return endpoint(CONNECTION, 'WorkloadIdentityFederation', {
      serviceprincipalid: emulator.scenario.apps.adoApp.clientId,
      tenantid: emulator.scenario.tenantId,
    });
  }
  if (kind === 'secret') {
    const app = emulator.scenario.apps.spSecret;
    return endpoint(CONNECTION, 'ServicePrincipal', {
      serviceprincipalid: app.clientId,
      tenantid: emulator.scenario.tenantId,
      authenticationType: 'spnKey',
      serviceprincipalkey: app.secret ?? '',
    });
  }
  const app = emulator.scenario.apps.spCert;
  return endpoint(CONNECTION, 'ServicePrincipal', {
    serviceprincipalid: app.clientId,
    tenantid: emulator.scenario.tenantId,
    authenticationType: 'spnCertificate',
    servicePrincipalCertificate: app.certPem ?? '',
  });
}

async function mainTask(
  values: Record<string, string>,
  before?: (home: string) => Promise<void>,
  kind: ConnectionKind = 'federation',
): Promise<AgentJob> {
  const home = await mkdtemp(join(emulator.dir, 'agent-'));
  const env: Record<string, string> = { ...(await agentEnv(emulator, home)), SYSTEM_DEBUG: 'true' };
  const temp = env.AGENT_TEMPDIRECTORY ?? '';
  await before?.(home);
  const connection = connectionFor(kind);
  const main = await runTask('main', {
    ...env,
    ...connection,
    ...taskInputEnv({ azureSubscription: CONNECTION, ...values }),
  });
  const paths = main.commands.filter((c) => c.name === 'task.prependpath').map((c) => c.value);
  return {
    home,
    temp,
    dockerConfig: join(home, '.docker', 'config.json'),
    files: jobClientFiles(join(temp, JOB_DIRECTORY)),
    env,
    main,
    paths,
    logs: [main.stdout, main.stderr],
    // A later task gets the job variables the task set: the job's own client files.
    clientEnv: async (tools, extra = {}) => ({
      ...env,
      ...jobVariables(main),
      PATH: await pathWith(paths, tools),
      ...extra,
    }),
  };
}

/** The renewal agent's process id, from the task variable the main step saved for its post-job step. */
function agentPid(job: AgentJob): number {
  const saved = taskVariables(job.main).VSTS_TASKVARIABLE_ACRLOGINRENEWAL ?? '{}';
  return (JSON.parse(saved) as { agentPid?: number }).agentPid ?? 0;
}

function postTask(job: AgentJob) {
  return runTask('post', { ...job.env, ...jobVariables(job.main), ...taskVariables(job.main) });
}

function logged(job: AgentJob, result: RunResult): RunResult {
  job.logs.push(result.stdout, result.stderr);
  return result;
}

/** Go clients reach the emulator through HTTPS_PROXY; the helper they start inherits it. */
const proxy = () => ({ HTTPS_PROXY: emulator.proxyUrl, NO_PROXY: '127.0.0.1,localhost' });

let renewing: AgentJob;
let control: AgentJob;
/** `renew: true` with a certificate connection (the PEM holds the private key), and with a secret one. */
let withCertificate: AgentJob;
let withSecret: AgentJob;
let userConfig: string;
let allExpired: number;
let renewedSecret = '';

beforeAll(async () => {
  expectToolsInCi(['skopeo', 'docker', 'podman', 'buildah']);
  emulator = await startEmulator({
    lifetimes: { refreshToken: LIFETIMES.refreshToken, adoOidc: LIFETIMES.oidc },
  });
  userConfig = `${JSON.stringify({ auths: { [REGISTRIES.contoso]: { auth: 'b2xkOm9sZA==' } }, credHelpers: { 'gcr.io': 'gcloud' } }, null, 4)}\n`;
  [renewing, control, withCertificate, withSecret] = await Promise.all([
    mainTask({ registry: 'contoso', clients: 'docker,podman', renew: 'true' }, async (home) => {
      await mkdir(join(home, '.docker'));
      await writeFile(join(home, '.docker', 'config.json'), userConfig);
    }),
    mainTask({ registry: 'contoso' }),
    mainTask({ registry: 'contoso', renew: 'true' }, undefined, 'certificate'),
    mainTask({ registry: 'contoso', renew: 'true' }, undefined, 'secret'),
  ]);
  const expiries = [renewing, control].map((job) => Date.parse(taskOutputs(job.main).expiresOn?.value ?? ''));
  allExpired = allExpiredAt(expiries);
}, 120_000);
afterAll(async () => {
  // A failed test may have left an agent: end it as the post-job step would.
  for (const job of [renewing, withCertificate, withSecret]) {
    if (job !== undefined && processAlive(agentPid(job))) await postTask(job);
  }
  await emulator?.stop();
});

describe('the main step', () => {
  test('with renew: prepends the helper folder to PATH, says when it renews, renews=true', () => {
    const { main } = renewing;
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.commands.find((c) => c.name === 'task.complete')?.properties.result).not.toBe('Failed');
    expect(taskOutputs(main).renews?.value).toBe('true');
    expect(renewing.paths).toHaveLength(1);
    expect(renewing.paths[0]).toMatch(new RegExp(`^${renewing.temp}/acr-login-[0-9a-f]{8}/bin$`));
    expect(main.stdout).toMatch(
      /Renewal is on: clients ask the credential helper docker-credential-acr-login-/,
    );
  });

  test('no file of the job (its home, Agent.TempDirectory) holds System.AccessToken, the private key or the secret', async () => {
    const key = privateKeyLines(emulator.scenario.apps.spCert.certPem ?? '');
    const secret = emulator.scenario.apps.spSecret.secret ?? '';
    expect(key.length).toBeGreaterThan(5);
    expect(secret.length).toBeGreaterThan(10);
    for (const job of [renewing, withCertificate, withSecret]) {
      expect(job.main.code, job.main.stdout + job.main.stderr).toBe(0);
      expect(taskOutputs(job.main).renews?.value).toBe('true');
      expect(processAlive(agentPid(job))).toBe(true);
      expect(await filesHolding(job.home, [emulator.ado.accessToken, ...key, secret])).toEqual([]);
    }
    // The control: the scan finds a secret where one is, the registry credential in the cache.
    const cached = taskOutputs(renewing.main).password?.value ?? '';
    expect((await filesHolding(renewing.home, [cached])).join()).toContain(
      `/cache/${REGISTRIES.contoso}.json`,
    );
  });

  test('without renew: the log gives the expiry and names renew; renews=false', () => {
    const { main } = control;
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(taskOutputs(main).renews?.value).toBe('false');
    expect(main.stdout).toContain(`The credentials expire at ${taskOutputs(main).expiresOn?.value}.`);
    expect(main.stdout).toContain('set "renew" to true');
  });
});

describe(`after the ${LIFETIMES.refreshToken} s refresh token and the ${LIFETIMES.oidc} s pipeline OIDC token expired`, () => {
  beforeAll(() => sleepUntil(allExpired), 60_000);

  test("20 parallel gets, through the agent's proxy kept for renewal: one Entra request and one exchange", async () => {
    emulator.resetRequests();
    const helper = renewing.paths[0]?.split('/').at(-2) ?? '';
    // The job's own environment: no HTTPS_PROXY, as on an agent whose proxy is in its settings.
    renewedSecret = (await parallelGets(helper, REGISTRIES.contoso, await renewing.clientEnv([]))).secret;
    expect(renewedSecret).not.toBe(taskOutputs(renewing.main).password?.value);
    expect(emulator.count({ service: 'ado' })).toBeGreaterThanOrEqual(1);
    expect(emulator.count({ service: 'entra', method: 'POST' })).toBe(1);
    expect(emulator.count({ service: 'acr', path: '/oauth2/exchange' })).toBe(1);
  });

  test('certificate and secret connections renew through their agents', async () => {
    for (const job of [withCertificate, withSecret]) {
      emulator.resetRequests();
      const helper = job.paths[0]?.split('/').at(-2) ?? '';
      const renewed = await parallelGets(helper, REGISTRIES.contoso, await job.clientEnv([]), 5);
      expect(renewed.secret).not.toBe(taskOutputs(job.main).password?.value);
      expect(emulator.count({ service: 'entra', method: 'POST' })).toBe(1);
      expect(emulator.count({ service: 'acr', path: '/oauth2/exchange' })).toBe(1);
    }
  });

  test('docker reads the renewed token (docker manifest inspect, no daemon)', async () => {
    const result = logged(
      renewing,
      await run('docker', ['manifest', 'inspect', hello], {
        env: await renewing.clientEnv(['docker'], proxy()),
      }),
    );
    expect(result.code, result.stderr).toBe(0);
  });

  test('skopeo pushes, podman and buildah pull', async () => {
    const target = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:renewed-task`;
    const pushed = logged(
      renewing,
      await skopeoPush(hello, target, {
        env: await renewing.clientEnv(['skopeo'], proxy()),
        authFile: renewing.files.docker,
      }),
    );
    expect(pushed.code, pushed.stderr).toBe(0);
    const env = await renewing.clientEnv(['podman', 'buildah'], proxy());
    const podman = logged(renewing, await podmanPull(target, env));
    expect(podman.code, podman.stderr).toBe(0);
    const buildah = logged(renewing, await buildahPull(target, env));
    expect(buildah.code, buildah.stderr).toBe(0);
  });

  test('control: without renew the push fails, and the post-job step warns naming renew', async () => {
    const pushed = await skopeoPush(hello, `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:control-task`, {
      env: await control.clientEnv(['skopeo'], proxy()),
      authFile: control.files.docker,
    });
    expect(pushed.code).not.toBe(0);
    const post = await runTask('post', {
      ...control.env,
      ...jobVariables(control.main),
      ...taskVariables(control.main),
    });
    expect(post.code).toBe(0);
    const warning = post.commands.find((c) => c.name === 'task.issue' && c.properties.type === 'warning');
    expect(warning?.value).toMatch(
      /^This job ran past .*Set "renew" to true to keep them valid for the whole job\.$/,
    );
  });
});

describe('the post-job step', () => {
  test("removes the helper entries, the helper and its state, and gives back the user's config byte for byte", async () => {
    const pid = agentPid(renewing);
    expect(processAlive(pid)).toBe(true);
    const post = await postTask(renewing);
    renewing.logs.push(post.stdout, post.stderr);
    expect(post.code, post.stdout).toBe(0);
    expect(processAlive(pid)).toBe(false);
    expect(post.stdout).toContain('Renewal stopped: 2 credential helper entries removed, 0 restored');
    expect(await readFile(renewing.dockerConfig, 'utf8')).toBe(userConfig);
    expect(await readFile(renewing.files.docker, 'utf8')).toBe(userConfig);
    // The helper and its state are gone; the job's client files stay for later post steps (the agent
    // empties its temp directory after the job).
    expect((await readdir(renewing.temp)).filter((name) => name.startsWith('acr-login-'))).toEqual([
      JOB_DIRECTORY,
    ]);
  });

  test('with a certificate or secret connection: the agent is gone after the post-job step, with its files', async () => {
    for (const job of [withCertificate, withSecret]) {
      const pid = agentPid(job);
      expect(processAlive(pid)).toBe(true);
      const post = await postTask(job);
      expect(post.code, post.stdout).toBe(0);
      expect(post.stdout).toContain('Renewal stopped');
      expect(processAlive(pid)).toBe(false);
      expect((await readdir(job.temp)).filter((name) => name.startsWith('acr-login-'))).toEqual([
        JOB_DIRECTORY,
      ]);
    }
  });

  test('with SYSTEM_DEBUG on, no secret appears unmasked: task, helper and clients', () => {
    const [mainOut = '', mainErr = '', ...rest] = renewing.logs;
    const taskOutput = [mainOut, mainErr, ...rest.slice(-2)].join('\n');
    const clientOutput = rest.slice(0, -2).join('\n');
    expect(taskOutput).toContain('##vso[task.debug]');
    // The task's own secrets: registered with the agent (which redacts them from then on) before any use.
    for (const secret of [taskOutputs(renewing.main).password?.value ?? '', emulator.ado.accessToken]) {
      const lines = taskOutput.split('\n');
      const registered = lines.indexOf(`##vso[task.setsecret]${secret}`);
      expect(registered, 'registered with the agent').toBeGreaterThanOrEqual(0);
      const first = lines.findIndex((line) => line.includes(secret));
      expect(first, 'first seen in its setsecret command').toBe(registered);
    }
    // What the helper renewed is never registered, so it must appear nowhere; clients show no secret at all.
    expect(renewedSecret).not.toBe('');
    for (const secret of [
      renewedSecret,
      taskOutputs(renewing.main).password?.value ?? '',
      emulator.ado.accessToken,
    ]) {
      expect(clientOutput.includes(secret), `${secret.length}-character secret in client output`).toBe(false);
    }
    expect(taskOutput.includes(renewedSecret)).toBe(false);
  });
});
