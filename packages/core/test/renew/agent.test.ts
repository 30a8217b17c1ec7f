import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { CLOUDS } from '../../src/plan/clouds.ts';
import {
  AGENT_CHECK_MS,
  MAX_REQUEST_BYTES,
  processAlive,
  type RunningAgent,
  serveAgent,
} from '../../src/renew/agent.ts';
import { type AgentResponse, AgentUnreachable, askAgent } from '../../src/renew/agent-client.ts';
import { parseAgentConfig } from '../../src/renew/agent-config.ts';
import { writeCached } from '../../src/renew/cache-writer.ts';
import { agentEndpoint, agentEnvironment, launchAgent, stopAgent } from '../../src/renew/launch.ts';
import type { RenewalPlan } from '../../src/renew/renewer.ts';
import { planSecrets } from '../../src/renew/setup.ts';
import {
  HOUR,
  PLAN,
  type Plan,
  type RecordingRenewer,
  recordingRenewer,
  SOURCE_BUNDLE,
  SP_REGISTRY,
  serversFor,
  T0,
  type TestClock,
  tempDir,
  testClock,
  withTsx,
} from './support.ts';

/** The agent's protocol and lifetime, on a real socket in a temp folder. */

const CONTOSO = 'contoso.azurecr.io';
const agents: RunningAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.stop('test over')));
});

interface Served {
  readonly dir: string;
  readonly endpoint: string;
  readonly token: string;
  readonly clock: TestClock;
  readonly renewer: RecordingRenewer;
  readonly agent: RunningAgent;
}

async function served(
  overrides: {
    watchPid?: number;
    alive?: (pid: number) => boolean;
    maxLifetimeMs?: number;
    idleMs?: number;
    checkEveryMs?: number;
    /** Run once it listens, before its job checks start. */
    listening?: (at: { endpoint: string; token: string }, stopped: Promise<string>) => Promise<void>;
  } = {},
): Promise<Served> {
  const dir = await tempDir();
  await mkdir(join(dir, 'cache'));
  const servers = serversFor([CONTOSO]);
  await writeCached(dir, CONTOSO, { ...(servers[CONTOSO] as (typeof servers)[string]), renewAt: T0 + HOUR });
  const endpoint = join(dir, 'agent.sock');
  const token = randomBytes(32).toString('hex');
  const clock = testClock();
  const renewer = recordingRenewer(clock);
  const { listening } = overrides;
  const agent = await serveAgent<Plan>({
    config: {
      version: 1,
      endpoint,
      token,
      dir,
      plan: PLAN,
      servers,
      maxLifetimeMs: overrides.maxLifetimeMs ?? 10 * HOUR,
      idleMs: overrides.idleMs ?? 2 * HOUR,
      ...(overrides.watchPid === undefined ? {} : { watchPid: overrides.watchPid }),
    },
    clock,
    renewer: (plan) => renewer.factory(plan),
    platform: process.platform,
    checkEveryMs: overrides.checkEveryMs ?? HOUR,
    ...(overrides.alive === undefined ? {} : { alive: overrides.alive }),
    ...(listening === undefined ? {} : { listening: (stopped) => listening({ endpoint, token }, stopped) }),
  });
  agents.push(agent);
  return { dir, endpoint, token, clock, renewer, agent };
}

/** Sends `text` as it is and returns what the agent wrote back before closing. */
function raw(endpoint: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(endpoint, () => socket.write(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('requests', () => {
  test('get answers a planned registry with its credential, as the helper prints it', async () => {
    const s = await served();
    const answer = await askAgent(
      s.endpoint,
      { token: s.token, op: 'get', server: `https://${CONTOSO}/v2/` },
      5000,
    );
    expect(answer).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(answer.stdout)).toMatchObject({
      ServerURL: `https://${CONTOSO}/v2/`,
      Secret: `rt-0-${CONTOSO}`,
    });
  });

  test('get refuses any other registry with the protocol not-found text', async () => {
    const s = await served();
    const answer = await askAgent(s.endpoint, { token: s.token, op: 'get', server: 'evil.example' }, 5000);
    expect(answer).toMatchObject({ code: 1, stdout: 'credentials not found in native keychain\n' });
  });

  test('list, ping (with its pid)', async () => {
    const s = await served();
    expect(JSON.parse((await askAgent(s.endpoint, { token: s.token, op: 'list' }, 5000)).stdout)).toEqual({
      [CONTOSO]: '00000000-0000-0000-0000-000000000000',
    });
    expect(await askAgent(s.endpoint, { token: s.token, op: 'ping' }, 5000)).toMatchObject({
      code: 0,
      pid: process.pid,
    });
  });

  test.each([
    ['no token', '{"op":"get","server":"contoso.azurecr.io"}\n', 'refused a request without its token'],
    [
      'a wrong token',
      `{"token":"${'0'.repeat(64)}","op":"get","server":"contoso.azurecr.io"}\n`,
      'without its token',
    ],
    ['a shorter token', '{"token":"0","op":"ping"}\n', 'without its token'],
    ['not JSON', 'get contoso.azurecr.io\n', 'not JSON'],
  ])('%s: refused, nothing served', async (_name, line, why) => {
    const s = await served();
    const answer = JSON.parse(await raw(s.endpoint, line));
    expect(answer).toMatchObject({ code: 1, stdout: '' });
    expect(answer.stderr).toContain(why);
  });

  test('an unknown request is named', async () => {
    const s = await served();
    const answer = JSON.parse(
      await raw(s.endpoint, `${JSON.stringify({ token: s.token, op: 'identity' })}\n`),
    );
    expect(answer).toMatchObject({ code: 1, stdout: '' });
    expect(answer.stderr).toContain('knows no request "identity" (get, list, ping, stop)');
  });

  test('a request line longer than the limit is cut off unanswered', async () => {
    const s = await served();
    expect(await raw(s.endpoint, 'x'.repeat(MAX_REQUEST_BYTES + 10))).toBe('');
    // The agent still serves others.
    expect((await askAgent(s.endpoint, { token: s.token, op: 'ping' }, 5000)).code).toBe(0);
  });

  test('stop answers, then the agent closes its socket and removes its cache', async () => {
    const s = await served();
    expect((await askAgent(s.endpoint, { token: s.token, op: 'stop' }, 5000)).code).toBe(0);
    expect(await s.agent.stopped).toBe('asked to stop');
    expect((await readdir(s.dir)).sort()).toEqual([]);
    await expect(askAgent(s.endpoint, { token: s.token, op: 'ping' }, 5000)).rejects.toBeInstanceOf(
      AgentUnreachable,
    );
  });

  test('a stop as soon as it listens, before its start-up is over: it stops, and no job check runs after', async () => {
    const checked: number[] = [];
    let answer: AgentResponse | undefined;
    const s = await served({
      watchPid: 4242,
      alive: (pid) => {
        checked.push(pid);
        return true;
      },
      checkEveryMs: 1,
      listening: async ({ endpoint, token }, stopped) => {
        answer = await askAgent(endpoint, { token, op: 'stop' }, 5000);
        // Its start-up goes on only once the stop is over.
        await stopped;
      },
    });
    expect(answer?.code).toBe(0);
    expect(await s.agent.stopped).toBe('asked to stop');
    // The socket and the cache went with it, as with any stop.
    expect((await readdir(s.dir)).sort()).toEqual([]);
    await expect(askAgent(s.endpoint, { token: s.token, op: 'ping' }, 5000)).rejects.toBeInstanceOf(
      AgentUnreachable,
    );
    // Fifty check periods on: no check timer was started, so no job check ran (and none holds the process
    // up); no renewal was asked for either.
    await sleep(50);
    expect(checked).toEqual([]);
    expect(s.renewer.calls).toEqual([]);
  });

  test('a stop without the token is refused', async () => {
    const s = await served();
    await raw(s.endpoint, '{"token":"nope","op":"stop"}\n');
    expect((await askAgent(s.endpoint, { token: s.token, op: 'ping' }, 5000)).code).toBe(0);
  });

  test('nobody listening: AgentUnreachable', async () => {
    const dir = await tempDir();
    await expect(askAgent(join(dir, 'agent.sock'), { token: 't', op: 'ping' }, 5000)).rejects.toBeInstanceOf(
      AgentUnreachable,
    );
  });
});

describe('it never outlives its job', () => {
  test('the watched process is gone: the job ended', async () => {
    let alive = true;
    const s = await served({ watchPid: 4242, alive: () => alive });
    await s.agent.check();
    alive = false;
    await s.agent.check();
    expect(await s.agent.stopped).toBe('the job ended');
  });

  test('its folder was removed (the runner emptied the temp dir)', async () => {
    const s = await served();
    await rm(s.dir, { recursive: true, force: true });
    await s.agent.check();
    expect(await s.agent.stopped).toBe('its folder was removed');
  });

  test('its maximum lifetime, however busy', async () => {
    const s = await served({ maxLifetimeMs: 3 * HOUR, idleMs: HOUR });
    for (let step = 0; step < 5; step++) {
      s.clock.advance(HOUR / 2);
      await askAgent(s.endpoint, { token: s.token, op: 'ping' }, 5000);
      await s.agent.check();
    }
    expect(await Promise.race([s.agent.stopped, sleep(50, 'running')])).toBe('running');
    s.clock.advance(HOUR / 2);
    await s.agent.check();
    expect(await s.agent.stopped).toBe('it reached its maximum lifetime');
  });

  test('idle too long; a request resets the idle time, a refused one does not', async () => {
    const s = await served({ idleMs: HOUR });
    s.clock.advance(HOUR - 1);
    await askAgent(s.endpoint, { token: s.token, op: 'ping' }, 5000);
    s.clock.advance(HOUR - 1);
    await raw(s.endpoint, '{"token":"nope","op":"ping"}\n');
    await s.agent.check();
    expect(await Promise.race([s.agent.stopped, sleep(50, 'running')])).toBe('running');
    s.clock.advance(1);
    await s.agent.check();
    expect(await s.agent.stopped).toBe('it was idle too long');
  });

  test(`a real agent exits within ${AGENT_CHECK_MS / 1000} s of the process it watches`, {
    timeout: 30_000,
  }, async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'cache'));
    const worker = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    const launched = await launchAgent({
      node: process.execPath,
      bundle: SOURCE_BUNDLE,
      dir,
      helper: 'acr-login-0badcafe',
      platform: process.platform,
      env: withTsx({}),
      plan: PLAN,
      secrets: [],
      servers: serversFor([CONTOSO], Date.now()),
      watchPid: worker.pid as number,
    });
    expect(processAlive(launched.pid)).toBe(true);
    worker.kill();
    const deadline = Date.now() + AGENT_CHECK_MS + 5000;
    while (processAlive(launched.pid) && Date.now() < deadline) await sleep(100);
    expect(processAlive(launched.pid)).toBe(false);
    // What it served went with it; the post step then finds nothing to stop.
    expect(await readdir(join(dir))).not.toContain('agent.sock');
    expect(await stopAgent(dir, launched.pid)).toBe('not running');
  });
});

describe('a real agent process', () => {
  test("SIGTERM, as a runner ends a job's leftover processes: it exits and takes its socket and cache along", {
    timeout: 30_000,
  }, async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'cache'));
    const servers = serversFor([CONTOSO], Date.now());
    await writeCached(dir, CONTOSO, {
      ...(servers[CONTOSO] as (typeof servers)[string]),
      renewAt: Date.now() + HOUR,
    });
    const launched = await launchAgent({
      node: process.execPath,
      bundle: SOURCE_BUNDLE,
      dir,
      helper: 'acr-login-0badcafe',
      platform: process.platform,
      env: withTsx({}),
      plan: PLAN,
      secrets: [],
      servers,
    });
    expect((await readdir(dir)).sort()).toEqual(['agent.json', 'agent.sock', 'cache']);
    process.kill(launched.pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (processAlive(launched.pid) && Date.now() < deadline) await sleep(50);
    expect(processAlive(launched.pid)).toBe(false);
    expect(await readdir(dir)).toEqual(['agent.json']);
  });
});

describe('the launch', () => {
  test('POSIX: a socket in the renewal folder; Windows: a named pipe nobody can guess', () => {
    expect(agentEndpoint('/t/acr-login-0badcafe', 'acr-login-0badcafe', 'linux')).toBe(
      '/t/acr-login-0badcafe/agent.sock',
    );
    const pipes = new Set(
      Array.from({ length: 20 }, () =>
        agentEndpoint('D:\\a\\_temp\\acr-login-0badcafe', 'acr-login-0badcafe', 'win32'),
      ),
    );
    expect(pipes.size).toBe(20);
    for (const pipe of pipes) expect(pipe).toMatch(/^\\\\\.\\pipe\\acr-login-0badcafe-[0-9a-f]{16}$/);
  });

  test("the agent's environment keeps what renewal and the runner's clean-up need, and no secret", () => {
    const env = agentEnvironment(
      {
        PATH: '/usr/bin',
        HTTPS_PROXY: 'http://proxy:3128',
        NODE_EXTRA_CA_CERTS: '/ca.pem',
        RUNNER_TRACKING_ID: 'github_1',
        VSTS_PROCESS_LOOKUP_ID: 'vsts_1',
        NODE_OPTIONS: '--max-old-space-size=512',
        'INPUT_CLIENT-SECRET': 'secret-1',
        INPUT_AZURESUBSCRIPTION: 'connection',
        ENDPOINT_AUTH_PARAMETER_CONN_SERVICEPRINCIPALKEY: 'secret-2',
        SECRET_SYSTEM_ACCESSTOKEN: 'x',
        SYSTEM_ACCESSTOKEN: 'ado-token',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
        MY_COPY: 'prefix secret-3 suffix',
        EMPTY: undefined,
      },
      ['secret-3', ''],
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      HTTPS_PROXY: 'http://proxy:3128',
      NODE_EXTRA_CA_CERTS: '/ca.pem',
      RUNNER_TRACKING_ID: 'github_1',
      VSTS_PROCESS_LOOKUP_ID: 'vsts_1',
      NODE_OPTIONS: '--max-old-space-size=512',
    });
    expect(agentEnvironment({ NODE_OPTIONS: '--inspect=0.0.0.0:9229' }, [])).toEqual({});
  });

  test("the plan's secrets, an agent proxy's password included, stay out of the agent's environment", () => {
    const plan: RenewalPlan = {
      cloud: CLOUDS.AzureCloud,
      registries: [SP_REGISTRY],
      githubOidc: { requestUrl: 'https://token.actions.example/', requestToken: 'request-token' },
      proxy: {
        url: 'http://ci%40corp:p%40ss%3Aw@proxy:3128/',
        authorization: 'Basic Y2lAY29ycDpzZXR0aW5n',
        bypass: [],
        source: 'Agent.ProxyUrl',
      },
      tls: { certArchiveFile: '/agent/client.pfx', passphrase: 'pfx-passphrase' },
    };
    const secrets = planSecrets(plan);
    expect(secrets).toEqual([
      'sp-secret-value',
      'request-token',
      'p%40ss%3Aw',
      'p@ss:w',
      `Basic ${btoa('ci@corp:p@ss:w')}`,
      'Basic Y2lAY29ycDpzZXR0aW5n',
      'pfx-passphrase',
    ]);
    const env = agentEnvironment(
      { PATH: '/usr/bin', AGENT_PROXYURL: 'http://ci%40corp:p%40ss%3Aw@proxy:3128', COPY: 'p@ss:w' },
      secrets,
    );
    expect(env).toEqual({ PATH: '/usr/bin' });
    expect(planSecrets({ ...plan, proxy: { url: 'http://proxy:3128', bypass: [] }, tls: {} })).toEqual([
      'sp-secret-value',
      'request-token',
    ]);
  });

  test('a configuration that does not parse is refused without quoting it', () => {
    expect(() => parseAgentConfig('{"version":1,"token":"short","plan":{"secret":"sp-secret"}}')).toThrow(
      /^the renewal agent was started without a valid configuration$/,
    );
  });
});
