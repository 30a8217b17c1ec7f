import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADO_SERVICE_CONNECTION, type Emulator, REGISTRIES, startEmulator } from '../emulator/index.ts';
import {
  ACTION_BUNDLE,
  exportedEnv,
  inputEnv,
  newJob,
  runStep,
  type StepResult,
} from '../support/actions-runner.ts';
import {
  agentEnv,
  endpoint,
  jobVariables,
  runTask,
  type TaskRun,
  taskInputEnv,
  taskOutputs,
} from '../support/azure-pipelines-agent.ts';
import { expectToolsInCi, hasTool, type RunResult, run } from '../support/clients.ts';
import { type RealProxy, startTinyproxy } from '../support/proxies.ts';
import { LIFETIMES, pathWith, sleepUntil } from '../support/renew.ts';

/**
 * tinyproxy, a second implementation, in front of the emulator's hosts: both bundles log in through it,
 * and with `renew: true` the credential helper that later steps start renews through it too: from
 * HTTPS_PROXY on GitHub, from the Agent.ProxyUrl the task kept on Azure Pipelines (where later steps have
 * no HTTPS_PROXY).
 */

/** Outside CI, a machine without these programs skips the tests; in CI a missing one fails (expectToolsInCi). */
const PROXY_TOOLS = ['tinyproxy'];
const missing = PROXY_TOOLS.filter((tool) => !hasTool(tool));
const describeWithProxy = describe.skipIf(missing.length > 0 && !process.env.CI);

let emulator: Emulator;
let tinyproxy: RealProxy;

const CONNECT = (host: string) =>
  new RegExp(`Request \\(file descriptor \\d+\\): CONNECT ${host.replace(/\./g, '\\.')}:443`, 'g');
const count = async (host: string) => ((await tinyproxy.log()).match(CONNECT(host)) ?? []).length;

interface Login {
  readonly result: StepResult | TaskRun;
  readonly expiresOn: number;
  /** A later step's environment, the helper's folder on PATH. */
  readonly env: Record<string, string>;
  readonly helper: string;
}

function spApp() {
  return emulator.scenario.apps.spSecret;
}

async function actionLogin(): Promise<Login> {
  const job = await newJob(emulator.dir);
  const pathFile = join(job.dir, 'path');
  await writeFile(pathFile, '');
  job.env.GITHUB_PATH = pathFile;
  const proxy = { HTTPS_PROXY: tinyproxy.url, https_proxy: tinyproxy.url };
  const result = await runStep(ACTION_BUNDLE, job, {
    ...emulator.env(),
    ...proxy,
    ...inputEnv({
      registry: 'contoso',
      'auth-type': 'service-principal',
      'client-id': spApp().clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-secret': spApp().secret ?? '',
      renew: 'true',
    }),
  });
  const { readFile } = await import('node:fs/promises');
  const paths = (await readFile(pathFile, 'utf8')).split('\n').filter(Boolean);
  return {
    result,
    expiresOn: Date.parse(result.outputs['expires-on'] ?? ''),
    env: {
      ...emulator.env(),
      ...proxy,
      HOME: job.home,
      ...(await exportedEnv(job)),
      PATH: await pathWith(paths, []),
    },
    helper: paths[0]?.split('/').at(-2) ?? '',
  };
}

async function taskLogin(): Promise<Login> {
  const home = await mkdtemp(join(emulator.dir, 'agent-'));
  // The agent's proxy is in its settings only: no HTTPS_PROXY in any step's environment.
  const env = { ...(await agentEnv(emulator, home)), AGENT_PROXYURL: tinyproxy.url };
  const connection = endpoint(ADO_SERVICE_CONNECTION.id, 'ServicePrincipal', {
    serviceprincipalid: spApp().clientId,
    serviceprincipalkey: spApp().secret ?? '',
    tenantid: emulator.scenario.tenantId,
    authenticationType: 'spnKey',
  });
  const result = await runTask('main', {
    ...env,
    ...connection,
    ...taskInputEnv({ azureSubscription: ADO_SERVICE_CONNECTION.id, registry: 'contoso', renew: 'true' }),
  });
  const paths = result.commands.filter((c) => c.name === 'task.prependpath').map((c) => c.value);
  return {
    result,
    expiresOn: Date.parse(taskOutputs(result).expiresOn?.value ?? ''),
    env: { ...env, ...jobVariables(result), PATH: await pathWith(paths, []) },
    helper: paths[0]?.split('/').at(-2) ?? '',
  };
}

const get = (login: Login): Promise<RunResult> =>
  run(`docker-credential-${login.helper}`, ['get'], { env: login.env, stdin: REGISTRIES.contoso });

let action: Login;
let task: Login;
let before: { entra: number; registry: number };

beforeAll(async () => {
  if (missing.length > 0 && !process.env.CI) return;
  expectToolsInCi([...PROXY_TOOLS, 'docker-registry']);
  emulator = await startEmulator({ lifetimes: { refreshToken: LIFETIMES.refreshToken } });
  tinyproxy = await startTinyproxy({ upstream: emulator.proxyUrl });
  [action, task] = await Promise.all([actionLogin(), taskLogin()]);
}, 120_000);
afterAll(async () => {
  await tinyproxy?.stop();
  await emulator?.stop();
});

describeWithProxy('the login goes through tinyproxy', () => {
  test('the action, with HTTPS_PROXY', () => {
    expect(action.result.code, action.result.stdout + action.result.stderr).toBe(0);
    expect(action.helper).toMatch(/^acr-login-[0-9a-f]{8}$/);
  });

  test("the task, with the agent's proxy", () => {
    const result = task.result as TaskRun;
    expect(result.commands.find((c) => c.name === 'task.complete')?.properties.result).not.toBe('Failed');
    expect(result.stdout).toContain(`Using the agent's proxy ${tinyproxy.url}`);
    expect(task.helper).toMatch(/^acr-login-[0-9a-f]{8}$/);
  });

  test('tinyproxy tunnelled Entra and the registry for both', async () => {
    expect(await count('login.microsoftonline.com')).toBeGreaterThanOrEqual(2);
    expect(await count('contoso.azurecr.io')).toBeGreaterThanOrEqual(2);
  });
});

describeWithProxy('the renewal helper goes the way the login went', () => {
  beforeAll(async () => {
    // The helper renews once less than a quarter of a token's lifetime is left.
    await sleepUntil(Math.max(action.expiresOn, task.expiresOn) - (LIFETIMES.refreshToken * 1000) / 8);
    before = { entra: await count('login.microsoftonline.com'), registry: await count('contoso.azurecr.io') };
  }, 60_000);

  test.each([
    ['the action', () => action],
    ['the task', () => task],
  ])('%s: a due get renews through tinyproxy', async (_name, login) => {
    const entra = await count('login.microsoftonline.com');
    const result = await get(login());
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ Username: '00000000-0000-0000-0000-000000000000' });
    expect(await count('login.microsoftonline.com')).toBeGreaterThan(entra);
  });

  test('both renewals went through it', async () => {
    expect(await count('login.microsoftonline.com')).toBeGreaterThanOrEqual(before.entra + 2);
    expect(await count('contoso.azurecr.io')).toBeGreaterThanOrEqual(before.registry + 2);
  });
});
