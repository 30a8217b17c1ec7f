import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Environment,
  type LoginInputs,
  login,
  nodeTransport,
  nullLogger,
  planLogin,
  type Transport,
} from '../../packages/core/src/index.ts';
import { type Emulator, REGISTRIES, startEmulator } from '../emulator/index.ts';
import {
  ACTION_BUNDLE,
  exportedEnv,
  inputEnv,
  type Job,
  newJob,
  runStep,
  stateEnv,
} from '../support/actions-runner.ts';
import { expectToolsInCi, run } from '../support/clients.ts';
import { LIFETIMES, pathWith, sleepUntil } from '../support/renew.ts';

/**
 * A proxy or endpoint that accepts connections and never speaks: the login, the access check, the post
 * step and the renewal helper each end by themselves, with a first line that names the host, the proxy and
 * the stage. Core runs in process with short timeouts; the bundles run with their defaults, to show the
 * step's own limits hold.
 */

let emulator: Emulator;
let silent: { url: string; sockets: Set<Socket>; close(): void };
let blackHole: { url: string; close(): void };

/** Accepts every connection and stays silent. */
async function silentListener(): Promise<typeof silent> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.resume();
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sockets,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** Answers CONNECT with 200, then never speaks TLS. */
async function blackHoleProxy(): Promise<typeof blackHole> {
  const sockets = new Set<Socket>();
  const server = createHttpServer();
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/**
 * A proxy that works (it relays every connection to `target`, the emulator's own proxy) until it goes silent:
 * then it drops the relayed connections and accepts new ones without a word, as a proxy that hangs.
 */
async function switchableProxy(target: string): Promise<{ url: string; goSilent(): void; close(): void }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let relaying = true;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
    if (!relaying) {
      socket.resume();
      return;
    }
    const upstream = connect(Number(port), hostname);
    sockets.add(upstream);
    upstream.on('error', () => socket.destroy());
    upstream.once('close', () => sockets.delete(upstream));
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const drop = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    goSilent() {
      relaying = false;
      drop();
    },
    close() {
      drop();
      server.close();
    },
  };
}

beforeAll(async () => {
  expectToolsInCi(['docker-registry']);
  emulator = await startEmulator({ lifetimes: { refreshToken: LIFETIMES.refreshToken } });
  silent = await silentListener();
  blackHole = await blackHoleProxy();
}, 60_000);
afterAll(async () => {
  silent?.close();
  blackHole?.close();
  await emulator?.stop();
});

const SHORT = { connect: 300, proxy: 300, tls: 300, headers: 300, body: 300 };

function spInputs(): LoginInputs {
  const app = emulator.scenario.apps.spSecret;
  return {
    registry: 'contoso',
    clientId: app.clientId,
    tenantId: emulator.scenario.tenantId,
    clientSecret: app.secret ?? '',
  };
}

async function coreLogin(dispatcher: Transport, inputs: LoginInputs) {
  const home = await mkdtemp(join(emulator.dir, 'home-'));
  const env = { HOME: home };
  const plan = planLogin(inputs, { oidcAvailable: false, env });
  const environment: Environment = { logger: nullLogger, env, dispatcher, sleep: async () => undefined };
  const started = Date.now();
  const error = await login(plan, environment).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  return { error, elapsed: Date.now() - started };
}

describe('core, in process, with short stage timeouts', () => {
  test.each([
    ['a proxy that never answers CONNECT', () => silent.url, 'did not answer CONNECT contoso.azurecr.io:443'],
    [
      'a proxy that answers CONNECT and never speaks TLS',
      () => blackHole.url,
      'no TLS handshake with contoso.azurecr.io:443 through the proxy',
    ],
  ])('the login, %s: fails by itself, naming host, proxy and stage', async (_name, proxy, stage) => {
    const dispatcher = nodeTransport({ env: { HTTPS_PROXY: proxy() }, timeouts: SHORT });
    try {
      const { error, elapsed } = await coreLogin(dispatcher, spInputs());
      expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
      const first = error?.message.split('\n')[0] ?? '';
      expect(first).toContain(stage);
      expect(first).toContain(proxy());
      expect(first).toContain('(4 attempts)');
      expect(elapsed).toBeLessThan(10_000);
    } finally {
      await dispatcher.close();
    }
  });

  test('the access check, at a registry that stops answering after the login: the headers stage', async () => {
    emulator.fault({ host: REGISTRIES.contoso, pathPrefix: '/oauth2/token', delayMs: 5_000, times: 10 });
    const dispatcher = nodeTransport({
      env: { HTTPS_PROXY: emulator.proxyUrl },
      tls: { ca: [emulator.caPem] },
      timeouts: SHORT,
    });
    try {
      const { error, elapsed } = await coreLogin(dispatcher, { ...spInputs(), repositories: 'hello-world' });
      expect(error?.message.split('\n')[0]).toContain(
        `repository access check at contoso.azurecr.io timed out: no response headers from contoso.azurecr.io:443 through the proxy ${emulator.proxyUrl} within 300 ms (4 attempts)`,
      );
      expect(elapsed).toBeLessThan(10_000);
    } finally {
      emulator.clearFaults();
      await dispatcher.close();
    }
  });
});

describe('the bundles, with their own limits', () => {
  let job: Job;
  let helper = '';
  let paths: string[] = [];
  let expiresOn = 0;
  let proxy: Awaited<ReturnType<typeof switchableProxy>>;

  beforeAll(async () => {
    // The login goes through a proxy that works; the renewal agent it starts keeps using that proxy.
    proxy = await switchableProxy(emulator.proxyUrl);
    job = await newJob(emulator.dir);
    const pathFile = join(job.dir, 'path');
    await writeFile(pathFile, '');
    job.env.GITHUB_PATH = pathFile;
    const app = emulator.scenario.apps.spSecret;
    const main = await runStep(ACTION_BUNDLE, job, {
      ...emulator.env(),
      HTTPS_PROXY: proxy.url,
      https_proxy: proxy.url,
      ...inputEnv({
        registry: 'contoso',
        'auth-type': 'service-principal',
        'client-id': app.clientId,
        'tenant-id': emulator.scenario.tenantId,
        'client-secret': app.secret ?? '',
        renew: 'true',
      }),
    });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    paths = (await readFile(pathFile, 'utf8')).split('\n').filter(Boolean);
    helper = paths[0]?.split('/').at(-2) ?? '';
    expiresOn = Date.parse(main.outputs['expires-on'] ?? '');
  }, 60_000);
  afterAll(() => proxy?.close());

  const silentEnv = () => ({ HTTPS_PROXY: silent.url, https_proxy: silent.url });

  test.concurrent('the main step, through a silent proxy: fails by itself within 2 minutes, host, proxy and stage first', async () => {
    const other = await newJob(emulator.dir);
    const app = emulator.scenario.apps.spSecret;
    const started = Date.now();
    const step = await runStep(ACTION_BUNDLE, other, {
      ...emulator.env(),
      ...silentEnv(),
      ...inputEnv({
        registry: 'contoso',
        'auth-type': 'service-principal',
        'client-id': app.clientId,
        'tenant-id': emulator.scenario.tenantId,
        'client-secret': app.secret ?? '',
      }),
    });
    const elapsed = Date.now() - started;
    expect(step.code).not.toBe(0);
    const error = step.stdout.split('\n').find((line) => line.startsWith('::error')) ?? '';
    expect(error).toMatch(
      new RegExp(
        `timed out: the proxy ${silent.url} did not answer CONNECT (contoso\\.azurecr\\.io|login\\.microsoftonline\\.com):443 within 10 s \\(4 attempts\\)`,
      ),
    );
    // Four 10 s attempts and three jittered pauses: past 40 s, well within 2 minutes.
    expect(elapsed).toBeGreaterThan(40_000);
    expect(elapsed).toBeLessThan(120_000);
  }, 130_000);

  test.concurrent('the renewal, due and facing a proxy gone silent: the helper answers by itself, naming host, proxy and stage', async () => {
    proxy.goSilent();
    // Due: less than a quarter of the token's lifetime left.
    await sleepUntil(expiresOn - (LIFETIMES.refreshToken * 1000) / 8);
    const env = {
      ...emulator.env(),
      HOME: job.home,
      ...(await exportedEnv(job)),
      PATH: await pathWith(paths, []),
    };
    const started = Date.now();
    const result = await run(`docker-credential-${helper}`, ['get'], { env, stdin: REGISTRIES.contoso });
    const elapsed = Date.now() - started;
    // Four 10 s CONNECT attempts outlast the few seconds the due token had left: the client gets the
    // failure, which names the proxy and the stage, instead of waiting on the helper.
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `timed out: the proxy ${proxy.url} did not answer CONNECT login.microsoftonline.com:443 within 10 s`,
    );
    expect(elapsed).toBeLessThan(120_000);
  }, 130_000);

  test('the post step, with the proxy gone silent: ends by itself at once', async () => {
    const state = (await import('../support/actions-runner.ts')).parseCommandFile(
      await readFile(job.env.GITHUB_STATE ?? '', 'utf8'),
    );
    const started = Date.now();
    const post = await runStep(ACTION_BUNDLE, job, { ...emulator.env(), ...silentEnv(), ...stateEnv(state) });
    expect(post.code, post.stdout + post.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});
