import { readdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ADO_SERVICE_CONNECTION, type Emulator, REGISTRIES, startEmulator } from '../emulator/index.ts';
import { ACTION_MAIN, inputEnv, newJob, runStep, type StepResult } from '../support/actions-runner.ts';
import { agentEnv, endpoint, runTask, type TaskRun, taskInputEnv } from '../support/azure-pipelines-agent.ts';
import { expectToolsInCi, run } from '../support/clients.ts';
import { commandLines } from '../support/log-commands.ts';
import { LIFETIMES, sleepUntil } from '../support/renew.ts';

/**
 * What a run that should not be trusted gets from the step, through the committed bundles on a machine with
 * a managed identity (the emulator's IMDS): no login as the machine on a fork's pull request or a Dependabot
 * run; a registry's hostile error text shown as text on both hosts; no authorization header in a debug log.
 */

let emulator: Emulator;
beforeAll(async () => {
  expectToolsInCi(['docker-registry']);
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());
afterEach(() => emulator.clearFaults());

const CONNECTION = ADO_SERVICE_CONNECTION.id;
const imdsRequests = () =>
  emulator.requests.filter((r) => r.service === 'imds' || r.path.startsWith('/metadata/'));

/** A pull request event as GitHub writes it to GITHUB_EVENT_PATH: head and base repositories, the sender. */
function pullRequestEvent(headRepo: string, sender = 'mallory'): unknown {
  return {
    action: 'opened',
    number: 7,
    pull_request: {
      head: { ref: 'patch-1', repo: { full_name: headRepo, fork: headRepo !== 'contoso/web' } },
      base: { ref: 'main', repo: { full_name: 'contoso/web', fork: false } },
    },
    repository: { full_name: 'contoso/web' },
    sender: { login: sender },
  };
}

/** The action's main step with no credential inputs, on `eventName` with `payload`, as GitHub starts it. */
async function actionWithoutInputs(
  eventName: string,
  payload: unknown,
  env: Record<string, string> = {},
): Promise<StepResult> {
  const job = await newJob(emulator.dir);
  const eventPath = join(job.dir, 'event.json');
  await writeFile(eventPath, JSON.stringify(payload));
  return runStep(ACTION_MAIN, job, {
    ...emulator.env(),
    ...inputEnv({ registry: 'contoso' }),
    // A fork's pull request gets no OIDC token service, and GitHub sets neither variable.
    ACTIONS_ID_TOKEN_REQUEST_URL: '',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: '',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'contoso/web',
    GITHUB_ACTOR: 'mallory',
    ...env,
  });
}

/** The `::error::` message of a failed step, decoded as the runner decodes it. */
function errorOf(step: StepResult): string {
  const line = step.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
  return line.slice('::error::'.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

describe('auth-type auto on a machine with a managed identity', () => {
  test.each([
    [
      "a fork's pull_request",
      'pull_request',
      pullRequestEvent('mallory/web'),
      {},
      'pull request from a fork',
    ],
    [
      "a fork's pull_request_target",
      'pull_request_target',
      pullRequestEvent('mallory/web'),
      {},
      'pull_request_target event for a pull request from a fork',
    ],
    [
      'a Dependabot run',
      'pull_request',
      pullRequestEvent('contoso/web', 'dependabot[bot]'),
      { GITHUB_ACTOR: 'dependabot[bot]' },
      'triggered by Dependabot',
    ],
  ])('%s: fails, says why, and never asks IMDS', async (_name, eventName, payload, env, why) => {
    emulator.resetRequests();
    const step = await actionWithoutInputs(eventName, payload, env);
    expect(step.code, step.stdout).toBe(1);
    const message = errorOf(step);
    expect(message).toContain(why);
    expect(message).toContain(`"auth-type: auto" does not log in as this machine's managed identity`);
    expect(message).toContain('set "auth-type: managed-identity" explicitly');
    // The explanation is said once, not again as a hint under the failure.
    expect(message.split(why).length).toBe(2);
    expect(step.stdout).not.toContain('::notice::');
    expect(imdsRequests()).toEqual([]);
    expect(emulator.count({ service: 'entra' })).toBe(0);
  });

  test('a same-repository pull request logs in as the machine, with one notice saying so', async () => {
    emulator.resetRequests();
    const step = await actionWithoutInputs('pull_request', pullRequestEvent('contoso/web', 'octocat'));
    expect(step.code, step.stdout).toBe(0);
    const notices = step.stdout.split('\n').filter((line) => line.startsWith('::notice::'));
    expect(notices).toEqual([
      '::notice::Logging in as the managed identity of this machine, because no credential was given ("auth-type" is auto). Any job that runs on this machine can use that identity: set "auth-type: managed-identity" to make that choice explicit, or give the job a credential of its own.',
    ]);
    expect(imdsRequests().length).toBeGreaterThan(0);
  });
});

/** ACR's error format, with text that would be commands to the runner and the agent were it printed raw. */
const HOSTILE = {
  errors: [
    {
      code: 'UNAUTHORIZED',
      message:
        'denied\n::warning::injected by the registry\r\n##vso[task.setvariable variable=INJECTED]yes\n##[error]legacy',
    },
  ],
};

/** The message of the task's `task.complete result=Failed`, or '' when it did not fail. */
function failedWith(run: TaskRun): string {
  const complete = run.commands.find((c) => c.name === 'task.complete');
  return complete?.properties.result === 'Failed' ? complete.value : '';
}

describe("a registry's error text is shown as text", () => {
  test('GitHub Actions: the failure is one ::error:: command holding the text', async () => {
    emulator.fault({ host: REGISTRIES.contoso, pathPrefix: '/oauth2/exchange', status: 401, body: HOSTILE });
    const app = emulator.scenario.apps.spSecret;
    const job = await newJob(emulator.dir);
    const step = await runStep(ACTION_MAIN, job, {
      ...emulator.env(),
      ...inputEnv({
        registry: 'contoso',
        'client-id': app.clientId,
        'tenant-id': emulator.scenario.tenantId,
        'client-secret': app.secret ?? '',
      }),
    });
    expect(step.code, step.stdout).toBe(1);
    expect(emulator.count({ host: REGISTRIES.contoso, path: '/oauth2/exchange', status: 401 })).toBe(1);
    const output = `${step.stdout}\n${step.stderr}`;
    // The runner's view: the only command that mentions the registry's words is the step's own error.
    const commands = commandLines(output, 'github').filter(
      (line) => line.includes('injected') || line.includes('##['),
    );
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(/^::error::/);
    expect(errorOf(step)).toContain('::warning::injected by the registry');
  });

  test('Azure Pipelines: the failure is the task.issue and task.complete commands holding the text', async () => {
    emulator.fault({ host: REGISTRIES.contoso, pathPrefix: '/oauth2/exchange', status: 401, body: HOSTILE });
    const { clientId, secret } = emulator.scenario.apps.spSecret;
    const env = await agentEnv(emulator, await newJob(emulator.dir).then((job) => job.home));
    const run = await runTask('main', {
      ...env,
      ...taskInputEnv({ azureSubscription: CONNECTION, registry: 'contoso' }),
      ...endpoint(CONNECTION, 'ServicePrincipal', {
        serviceprincipalid: clientId,
        tenantid: emulator.scenario.tenantId,
        authenticationType: 'spnKey',
        serviceprincipalkey: secret ?? '',
      }),
    });
    expect(failedWith(run)).toContain('UNAUTHORIZED denied');
    const output = `${run.stdout}\n${run.stderr}`;
    // The agent acts on the first `##vso[` of a line: every line that holds the registry's words starts
    // with the task's own command.
    const lines = commandLines(output, 'azure-pipelines').filter((line) => line.includes('INJECTED'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^##vso\[task\.(issue|complete) /);
    expect(output.split(/\r\n|\r|\n/).filter((line) => line.startsWith('##[error]'))).toEqual([]);
  });
});

describe("a registry's error text on its way through the credential helper into the job's log", () => {
  // Its own emulator: refresh tokens that fall due for renewal within seconds.
  let renewal: Emulator;
  beforeAll(async () => {
    renewal = await startEmulator({ lifetimes: { refreshToken: LIFETIMES.refreshToken } });
  });
  afterAll(() => renewal?.stop());
  afterEach(() => renewal.clearFaults());

  /**
   * Waits until the login's credentials are due for renewal, makes the registry refuse it with `HOSTILE`,
   * and asks the helper as a client would: it serves the valid credentials and warns, on stderr, why the
   * renewal failed.
   */
  async function askAfterRefusedRenewal(helperDirs: readonly string[], expiresOn: string) {
    renewal.fault({
      host: REGISTRIES.contoso,
      pathPrefix: '/oauth2/exchange',
      status: 401,
      body: HOSTILE,
      times: 10,
    });
    // The middle of the due window (the last quarter of the lifetime), as the other renewal tests ask.
    await sleepUntil(Date.parse(expiresOn) - (LIFETIMES.refreshToken * 1000) / 8);
    const helper = (await readdir(helperDirs[0] ?? '')).find((name) => name.startsWith('docker-credential-'));
    expect(helper).toBeDefined();
    const got = await run(helper ?? '', ['get'], {
      env: renewal.env({ PATH: [...helperDirs, process.env.PATH ?? ''].join(delimiter) }),
      stdin: REGISTRIES.contoso,
    });
    expect(got.code, got.stderr).toBe(0);
    expect(
      renewal.count({ host: REGISTRIES.contoso, path: '/oauth2/exchange', status: 401 }),
    ).toBeGreaterThan(0);
    // The registry's words are there, on the helper's one line, as text.
    expect(got.stderr).toContain('::warning::injected by the registry');
    expect(got.stderr.trimEnd().split('\n')).toHaveLength(1);
    for (const ci of ['github', 'azure-pipelines'] as const) expect(commandLines(got.stderr, ci)).toEqual([]);
  }

  test('GitHub Actions', async () => {
    const app = renewal.scenario.apps.spSecret;
    const job = await newJob(renewal.dir);
    job.env.GITHUB_PATH = join(job.dir, 'path');
    await writeFile(job.env.GITHUB_PATH, '');
    const main = await runStep(ACTION_MAIN, job, {
      ...renewal.env(),
      ...inputEnv({
        registry: 'contoso',
        'client-id': app.clientId,
        'tenant-id': renewal.scenario.tenantId,
        'client-secret': app.secret ?? '',
        renew: 'true',
      }),
    });
    expect(main.code, main.stdout).toBe(0);
    const paths = (await readFile(job.env.GITHUB_PATH, 'utf8')).split('\n').filter((line) => line !== '');
    await askAfterRefusedRenewal(paths, main.outputs['expires-on'] ?? '');
  });

  test('Azure Pipelines', async () => {
    const { clientId, secret } = renewal.scenario.apps.spSecret;
    const env = await agentEnv(renewal, (await newJob(renewal.dir)).home);
    const main = await runTask('main', {
      ...env,
      ...taskInputEnv({ azureSubscription: CONNECTION, registry: 'contoso', renew: 'true' }),
      ...endpoint(CONNECTION, 'ServicePrincipal', {
        serviceprincipalid: clientId,
        tenantid: renewal.scenario.tenantId,
        authenticationType: 'spnKey',
        serviceprincipalkey: secret ?? '',
      }),
    });
    expect(failedWith(main)).toBe('');
    const paths = main.commands.filter((c) => c.name === 'task.prependpath').map((c) => c.value);
    const expiresOn = main.commands.find(
      (c) => c.name === 'task.setvariable' && c.properties.variable === 'expiresOn',
    );
    await askAfterRefusedRenewal(paths, expiresOn?.value ?? '');
  });
});

describe('debug logging on', () => {
  test("Azure Pipelines: a refused OIDC request's log holds no authorization header nor the access token", async () => {
    // Azure DevOps answers an ID token request it refuses with an empty body: the SDK then logs the whole
    // response, its request's headers included.
    emulator.fault({ pathPrefix: '/ado/oidctoken', status: 401, body: '' });
    const env = await agentEnv(emulator, await newJob(emulator.dir).then((job) => job.home));
    const run = await runTask('main', {
      ...env,
      SYSTEM_DEBUG: 'true',
      ...taskInputEnv({ azureSubscription: CONNECTION, registry: 'contoso' }),
      ...endpoint(CONNECTION, 'WorkloadIdentityFederation', {
        serviceprincipalid: emulator.scenario.apps.adoApp.clientId,
        tenantid: emulator.scenario.tenantId,
      }),
    });
    expect(failedWith(run)).not.toBe('');
    expect(emulator.count({ path: '/ado/oidctoken', status: 401 })).toBeGreaterThan(0);
    const output = `${run.stdout}\n${run.stderr}`;
    // The SDK's log of the failed response did reach the debug output.
    expect(output).toMatch(/##vso\[task\.debug\].*Complete response/);
    expect(output).not.toMatch(/authorization"?\s*[:=]\s*"?(Bearer|Basic)/i);
    const token = emulator.ado.accessToken;
    const showing = output.split('\n').filter((line) => line.includes(token));
    expect(showing.every((line) => line.startsWith('##vso[task.setsecret]'))).toBe(true);
  });
});
