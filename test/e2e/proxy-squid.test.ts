import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ADO_SERVICE_CONNECTION,
  DEFAULT_LIFETIMES,
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
import { expectToolsInCi, hasTool, type RunResult, run, skopeoInspect } from '../support/clients.ts';
import { proxyUrlWith, type RealProxy, startSquid } from '../support/proxies.ts';
import { LIFETIMES, pathWith, sleepUntil } from '../support/renew.ts';
import { filesHolding } from '../support/secrets.ts';

/**
 * Both bundles through squid (Debian's), with basic auth checked by basic_ncsa_auth, in front of the
 * emulator's hosts: a password with `@ : /` in it, a wrong one, NO_PROXY forms decided as the Go clients
 * decide them, the agent's proxy settings, and a renewal through the proxy hours after the step.
 */

const USER = 'ci@corp';
// Every character a URL reserves around credentials.
const PASSWORD = 'p@ss:w/rd%1';
const hello = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`;

/** Outside CI, a machine without these programs skips the tests; in CI a missing one fails (expectToolsInCi). */
const PROXY_TOOLS = ['squid', 'htpasswd'];
const missing = PROXY_TOOLS.filter((tool) => !hasTool(tool));
const describeWithProxy = describe.skipIf(missing.length > 0 && !process.env.CI);

let emulator: Emulator;
let squid: RealProxy;

beforeAll(async () => {
  if (missing.length > 0 && !process.env.CI) return;
  expectToolsInCi([...PROXY_TOOLS, 'skopeo', 'docker-registry']);
  emulator = await startEmulator();
  squid = await startSquid({ upstream: emulator.proxyUrl, user: USER, password: PASSWORD });
}, 60_000);
afterAll(async () => {
  await squid?.stop();
  await emulator?.stop();
});

/** Both spellings: the Go clients and curl read the lower-case ones first or only. */
function proxyEnv(url: string, noProxy = '127.0.0.1,localhost'): Record<string, string> {
  return { HTTPS_PROXY: url, https_proxy: url, NO_PROXY: noProxy, no_proxy: noProxy };
}

function spInputs() {
  const app = emulator.scenario.apps.spSecret;
  return {
    registry: 'contoso',
    'auth-type': 'service-principal',
    'client-id': app.clientId,
    'tenant-id': emulator.scenario.tenantId,
    'client-secret': app.secret ?? '',
  };
}

/** squid logs a tunnel when it closes: wait until a line matching `pattern` is there. */
async function expectConnect(from: number, pattern: RegExp): Promise<void> {
  await expect
    .poll(async () => (await connects(from)).some((line) => pattern.test(line)), { timeout: 10_000 })
    .toBe(true);
}

/** The CONNECT lines squid logged since `from` (a length of its log). */
async function connects(from: number): Promise<string[]> {
  return (await squid.log())
    .slice(from)
    .split('\n')
    .filter((line) => line.includes(' CONNECT '));
}

const secretsIn = (text: string) =>
  [PASSWORD, encodeURIComponent(PASSWORD), 'wrong:pa/ss', encodeURIComponent('wrong:pa/ss')].filter(
    (secret) => text.includes(secret),
  );

describeWithProxy('the action, with HTTPS_PROXY', () => {
  test('a password with @ : / percent-encoded in the URL: the login and a client both go through squid', async () => {
    const mark = (await squid.log()).length;
    const job = await newJob(emulator.dir);
    const env = { ...emulator.env(), ...proxyEnv(proxyUrlWith(squid, USER, PASSWORD)) };
    const step = await runStep(ACTION_BUNDLE, job, { ...env, ...inputEnv(spInputs()) });
    expect(step.code, step.stdout + step.stderr).toBe(0);
    expect(secretsIn(step.stdout + step.stderr)).toEqual([]);
    await expectConnect(mark, /TCP_TUNNEL\/200 .* CONNECT login\.microsoftonline\.com:443 ci@corp/);
    await expectConnect(mark, /TCP_TUNNEL\/200 .* CONNECT contoso\.azurecr\.io:443 ci@corp/);
    const pulled = await skopeoInspect(hello, {
      env: { ...env, HOME: job.home },
      authFile: job.files.docker,
    });
    expect(pulled.code, pulled.stderr).toBe(0);
  });

  test('a wrong password fails fast, names the proxy and that it refused the credentials, shows no password', async () => {
    const job = await newJob(emulator.dir);
    const started = Date.now();
    const step = await runStep(ACTION_BUNDLE, job, {
      ...emulator.env(),
      ...proxyEnv(proxyUrlWith(squid, USER, 'wrong:pa/ss')),
      ...inputEnv(spInputs()),
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(step.code).not.toBe(0);
    const error = step.stdout.split('\n').find((line) => line.startsWith('::error'));
    expect(error).toContain(`the proxy ${squid.url} refused the credentials it was given`);
    expect(error).toContain('HTTP 407');
    expect(secretsIn(step.stdout + step.stderr)).toEqual([]);
  });

  // Direct, the emulator's names do not resolve: a host NO_PROXY matches fails with "does not resolve" and
  // squid never sees it. skopeo (Go's rules) is asked the same question with the same variables.
  test.each([
    ['azurecr.io', false],
    ['.azurecr.io', false],
    ['*.azurecr.io', false],
    ['contoso.azurecr.io:443', false],
    ['contoso.azurecr.io:8443', true],
    ['cr.io', true],
  ])('NO_PROXY=%s: through squid %s, as skopeo decides', async (noProxy, proxied) => {
    const env = { ...emulator.env(), ...proxyEnv(proxyUrlWith(squid, USER, PASSWORD), noProxy) };
    const job = await newJob(emulator.dir);
    const step = await runStep(ACTION_BUNDLE, job, { ...env, ...inputEnv(spInputs()) });
    const skopeo = await skopeoInspect(hello, {
      env: { ...env, HOME: job.home },
      authFile: job.files.docker,
    });
    if (proxied) {
      expect(step.code, step.stdout).toBe(0);
      expect(skopeo.code, skopeo.stderr).toBe(0);
    } else {
      expect(step.code).not.toBe(0);
      expect(step.stdout).toContain('the host "contoso.azurecr.io" does not resolve');
      expect(skopeo.code).not.toBe(0);
      expect(skopeo.stderr).toMatch(/contoso\.azurecr\.io.*(no such host|server misbehaving|lookup)/);
    }
  });
});

/** A job whose login step set up renewal through squid, as a later step of that job sees it. */
interface RenewingJob {
  /** The job's folder: every file the job's steps may read. */
  readonly dir: string;
  readonly password: string;
  readonly expiresOn: number;
  readonly helper: string;
  /** A later step's environment: the job's files and PATH, and no proxy of its own. */
  readonly later: Record<string, string>;
  readonly logs: string[];
  /** The post step, which ends the renewal agent; run once. */
  post(): Promise<RunResult>;
}

/** The post step once, however often asked: a test's and the clean-up's. */
function once(post: () => Promise<RunResult>): () => Promise<RunResult> {
  let ran: Promise<RunResult> | undefined;
  return () => {
    ran ??= post();
    return ran;
  };
}

async function renewingAction(): Promise<RenewingJob> {
  const job = await newJob(emulator.dir);
  const pathFile = join(job.dir, 'path');
  await writeFile(pathFile, '');
  job.env.GITHUB_PATH = pathFile;
  const env = { ...emulator.env(), ...proxyEnv(proxyUrlWith(squid, USER, PASSWORD)) };
  const main = await runStep(ACTION_BUNDLE, job, { ...env, ...inputEnv({ ...spInputs(), renew: 'true' }) });
  expect(main.code, main.stdout + main.stderr).toBe(0);
  expect(main.outputs.renews).toBe('true');
  const bin = (await readFile(pathFile, 'utf8')).trim();
  return {
    dir: job.dir,
    password: main.outputs.password ?? '',
    expiresOn: Date.parse(main.outputs['expires-on'] ?? ''),
    helper: `docker-credential-${bin.split('/').at(-2)}`,
    later: emulator.env({ HOME: job.home, ...(await exportedEnv(job)), PATH: await pathWith([bin], []) }),
    logs: [main.stdout, main.stderr],
    post: once(() => runStep(ACTION_BUNDLE, job, { ...env, ...stateEnv(main.state) })),
  };
}

async function renewingTask(): Promise<RenewingJob> {
  const home = await mkdtemp(join(emulator.dir, 'agent-'));
  const env = {
    ...(await agentEnv(emulator, home)),
    AGENT_PROXYURL: squid.url,
    AGENT_PROXYUSERNAME: USER,
    SECRET_AGENT_PROXYPASSWORD: PASSWORD,
    VSTS_SECRET_VARIABLES: JSON.stringify(['Agent.ProxyPassword']),
  };
  const app = emulator.scenario.apps.spSecret;
  const main = await runTask('main', {
    ...env,
    ...endpoint(ADO_SERVICE_CONNECTION.id, 'ServicePrincipal', {
      serviceprincipalid: app.clientId,
      serviceprincipalkey: app.secret ?? '',
      tenantid: emulator.scenario.tenantId,
      authenticationType: 'spnKey',
    }),
    ...taskInputEnv({ azureSubscription: ADO_SERVICE_CONNECTION.id, registry: 'contoso', renew: 'true' }),
  });
  expect(main.code, main.stdout + main.stderr).toBe(0);
  const outputs = taskOutputs(main);
  expect(outputs.renews?.value).toBe('true');
  const bin = main.commands.find((c) => c.name === 'task.prependpath')?.value ?? '';
  // The agent's secret variables reach a later task only as the agent passes them; none is needed here.
  const { SECRET_AGENT_PROXYPASSWORD: _, ...visible } = env;
  return {
    dir: home,
    password: outputs.password?.value ?? '',
    expiresOn: Date.parse(outputs.expiresOn?.value ?? ''),
    helper: `docker-credential-${bin.split('/').at(-2)}`,
    later: { ...visible, ...jobVariables(main), PATH: await pathWith([bin], []) },
    logs: [main.stdout.replace(/##vso\[task\.setsecret\][^\n]*/g, ''), main.stderr],
    post: once(() => runTask('post', { ...env, ...jobVariables(main), ...taskVariables(main) })),
  };
}

describeWithProxy('renewal through squid, once the refresh token is due', () => {
  let action: RenewingJob;
  let task: RenewingJob;

  beforeAll(async () => {
    if (missing.length > 0 && !process.env.CI) return;
    // Due for renewal in seconds instead of hours; the file's other tests keep ACR's lifetime.
    emulator.setLifetimes({ refreshToken: LIFETIMES.refreshToken });
    try {
      [action, task] = await Promise.all([renewingAction(), renewingTask()]);
    } finally {
      emulator.setLifetimes({ refreshToken: DEFAULT_LIFETIMES.refreshToken });
    }
  }, 60_000);
  // A failed assertion must not leave a renewal agent running.
  afterAll(async () => {
    await Promise.all([action?.post(), task?.post()]);
  });

  /** A later step's `get` in the renewal's window, the post step, then what squid and the files show. */
  async function renewsThroughSquid(job: RenewingJob): Promise<void> {
    // In the token's last quarter but still valid, as a slow client may meet it.
    await sleepUntil(job.expiresOn - 5_000);
    const mark = (await squid.log()).length;
    emulator.resetRequests();
    const get = await run(job.helper, ['get'], { env: job.later, stdin: REGISTRIES.contoso });
    expect(get.code, get.stdout + get.stderr).toBe(0);
    expect((JSON.parse(get.stdout) as { Secret: string }).Secret).not.toBe(job.password);
    expect(emulator.count({ service: 'acr', path: '/oauth2/exchange' })).toBe(1);
    // squid logs a tunnel when it closes: the post step ends the agent, which closes its connections.
    const post = await job.post();
    expect(post.code, post.stdout + post.stderr).toBe(0);
    await expectConnect(mark, /TCP_TUNNEL\/200 .* CONNECT login\.microsoftonline\.com:443 ci@corp/);
    await expectConnect(mark, /TCP_TUNNEL\/200 .* CONNECT contoso\.azurecr\.io:443 ci@corp/);
    expect(secretsIn([...job.logs, get.stdout, get.stderr].join('\n'))).toEqual([]);
    expect(await filesHolding(job.dir, [PASSWORD, encodeURIComponent(PASSWORD)])).toEqual([]);
  }

  test("the action: the agent renews through the step's HTTPS_PROXY and its credentials, in no file", async () => {
    await renewsThroughSquid(action);
  });

  test("the task: the agent renews through the agent's proxy settings and its password, in no file", async () => {
    await renewsThroughSquid(task);
  });
});

describeWithProxy("the task, with the agent's proxy settings", () => {
  async function task(variables: Record<string, string>, inputs: Record<string, string> = {}) {
    const home = await import('node:fs/promises').then(({ mkdtemp }) =>
      mkdtemp(join(emulator.dir, 'agent-')),
    );
    const env = { ...(await agentEnv(emulator, home)), ...variables };
    const app = emulator.scenario.apps.spSecret;
    const connection = endpoint(ADO_SERVICE_CONNECTION.id, 'ServicePrincipal', {
      serviceprincipalid: app.clientId,
      serviceprincipalkey: app.secret ?? '',
      tenantid: emulator.scenario.tenantId,
      authenticationType: 'spnKey',
    });
    const main = await runTask('main', {
      ...env,
      ...connection,
      ...taskInputEnv({ azureSubscription: ADO_SERVICE_CONNECTION.id, registry: 'contoso', ...inputs }),
    });
    return { main, temp: env.AGENT_TEMPDIRECTORY ?? '' };
  }

  test('Agent.ProxyUrl, Agent.ProxyUsername and the secret Agent.ProxyPassword', async () => {
    const mark = (await squid.log()).length;
    const { main } = await task({
      AGENT_PROXYURL: squid.url,
      AGENT_PROXYUSERNAME: USER,
      SECRET_AGENT_PROXYPASSWORD: PASSWORD,
      VSTS_SECRET_VARIABLES: JSON.stringify(['Agent.ProxyPassword']),
    });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toContain(`Using the agent's proxy ${squid.url}`);
    expect(secretsIn(main.stdout.replace(/##vso\[task\.setsecret\][^\n]*/g, ''))).toEqual([]);
    await expectConnect(mark, /TCP_TUNNEL\/200 .* CONNECT contoso\.azurecr\.io:443 ci@corp/);
  });

  test('Agent.ProxyBypassList sends a matching host direct', async () => {
    const mark = (await squid.log()).length;
    const { main } = await task({
      AGENT_PROXYURL: squid.url,
      AGENT_PROXYUSERNAME: USER,
      SECRET_AGENT_PROXYPASSWORD: PASSWORD,
      VSTS_SECRET_VARIABLES: JSON.stringify(['Agent.ProxyPassword']),
      AGENT_PROXYBYPASSLIST: JSON.stringify(['contoso\\.azurecr\\.io']),
    });
    expect(main.commands.find((c) => c.name === 'task.complete')?.properties.result).toBe('Failed');
    expect(main.stdout).toContain('the host "contoso.azurecr.io" does not resolve');
    // squid logs a tunnel once it closes; the step's were closed when it exited.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await connects(mark)).some((line) => line.includes('CONNECT contoso.azurecr.io'))).toBe(false);
  });

  test('credentials in Agent.ProxyUrl are masked, never printed, and in no file the renewal leaves', async () => {
    const url = proxyUrlWith(squid, USER, PASSWORD);
    const { main, temp } = await task({ AGENT_PROXYURL: url }, { renew: 'true' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toContain(`Using the agent's proxy ${squid.url}`);
    const masked = main.commands.filter((c) => c.name === 'task.setsecret').map((c) => c.value);
    expect(masked).toContain(PASSWORD);
    expect(masked).toContain(encodeURIComponent(PASSWORD));
    expect(secretsIn(main.stdout.replace(/##vso\[task\.setsecret\][^\n]*/g, ''))).toEqual([]);
    // The renewal folder exists, and holds the proxy's password nowhere: the agent keeps it in memory.
    expect((await readdir(temp)).some((name) => /^acr-login-[0-9a-f]{8}$/.test(name))).toBe(true);
    expect(await filesHolding(temp, [PASSWORD, encodeURIComponent(PASSWORD)])).toEqual([]);
  });
});
