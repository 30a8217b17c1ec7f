import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Dispatcher, EnvHttpProxyAgent } from 'undici';
import { type AcrContext, handleAcr } from './acr.ts';
import { ARM_HOST, handleArm } from './arm.ts';
import { createCertificateAuthority } from './ca.ts';
import { ENTRA_HOSTS, handleEntra } from './entra.ts';
import { type FaultRule, type RecordedRequest, type Request, readBody, sendJson, toRecord } from './http.ts';
import { createClientCertificate, createRegistrySigner, createSigner } from './keys.ts';
import { handleAdo, handleGithub, handleImds, type LoopbackContext } from './loopback.ts';
import { startFrontDoor } from './proxy.ts';
import { type EmulatedRegistry, helloImage, seedHello, startRegistry } from './registry.ts';
import {
  ADO_ISSUER,
  ADO_SERVICE_CONNECTION,
  DEFAULT_LIFETIMES,
  defaultScenario,
  GITHUB_DEFAULT_SUBJECT,
  GITHUB_ISSUER,
  OIDC_AUDIENCE,
  type Scenario,
  secret,
  type TokenLifetimes,
  WORKLOAD_ISSUER,
} from './scenario.ts';

export type { FaultRule, RecordedRequest, ServiceName } from './http.ts';
export * from './scenario.ts';

export interface EmulatorOptions {
  /** Adds `reg1.azurecr.io`..`regN.azurecr.io`, push for spSecret. Default 0. */
  readonly extraRegistries?: number;
  /** Subject of GitHub OIDC tokens. Default `GITHUB_DEFAULT_SUBJECT`. */
  readonly githubSubject?: string;
  /** Default true. */
  readonly imdsAvailable?: boolean;
  /** Token lifetimes in seconds; default `DEFAULT_LIFETIMES` (ACR's 3 h 15 min refresh token). */
  readonly lifetimes?: Partial<TokenLifetimes>;
}

export interface Emulator {
  /** `http://127.0.0.1:<port>`: the CONNECT proxy in front of every https host. */
  readonly proxyUrl: string;
  readonly caFile: string;
  readonly caPem: string;
  /** `http://127.0.0.1:<port>`, for `AZURE_POD_IDENTITY_AUTHORITY_HOST`; a new port after IMDS comes back. */
  readonly imdsUrl: string;
  /** `requestUrl` already carries `?api-version=2.0`, like the runner's. */
  readonly github: { readonly requestUrl: string; readonly requestToken: string };
  readonly ado: {
    readonly oidcRequestUri: string;
    readonly accessToken: string;
    readonly serviceConnectionId: string;
  };
  readonly scenario: Scenario;
  /** The run's temp directory (removed by `stop`); tests may put their client files under it. */
  readonly dir: string;
  /**
   * Environment for clients: HTTPS_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE,
   * AZURE_POD_IDENTITY_AUTHORITY_HOST, ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN, SYSTEM_OIDCREQUESTURI.
   */
  env(extra?: Record<string, string>): Record<string, string>;
  /** undici dispatcher: https through the proxy trusting the CA; loopback direct. One per call. */
  dispatcher(): Dispatcher;
  readonly requests: readonly RecordedRequest[];
  /** Requests matching every given field (`query` and `form`: the given keys only). */
  count(filter: Partial<RecordedRequest>): number;
  resetRequests(): void;
  fault(rule: FaultRule): void;
  clearFaults(): void;
  /** false: the IMDS port refuses connections (closed), true: it listens again, on a new port (see imdsUrl). */
  setImdsAvailable(available: boolean): Promise<void>;
  /** Subject of the next GitHub OIDC tokens. */
  githubSubject(subject: string): void;
  /** Lifetimes of the tokens issued from now on (those already issued keep theirs). */
  setLifetimes(lifetimes: Partial<TokenLifetimes>): void;
  /**
   * Sets the clock against which ACR checks refresh tokens' expiry this far ahead of the real one (0: the real
   * clock again): a test sees a token expire without waiting for it, or racing a busy machine for a token that
   * lives seconds.
   */
  setRefreshClockAhead(seconds: number): void;
  /** A federated token from the GitHub issuer, with any claims (for negative tests). */
  githubToken(claims?: Record<string, unknown>, lifetimeSeconds?: number): Promise<string>;
  stop(): Promise<void>;
}

// Registries outlive a crashed test run otherwise: kill what is left when the process exits.
const liveRegistries = new Set<EmulatedRegistry>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const registry of liveRegistries) registry.process.kill('SIGKILL');
  });
}

type Route = (r: Request) => Promise<void>;

function matches(recorded: RecordedRequest, filter: Partial<RecordedRequest>): boolean {
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'query' || key === 'form') {
      const actual = (recorded[key] ?? {}) as Record<string, string>;
      for (const [k, v] of Object.entries(value as Record<string, string>)) if (actual[k] !== v) return false;
    } else if (recorded[key as keyof RecordedRequest] !== value) {
      return false;
    }
  }
  return true;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  installExitHook();
  const dir = await mkdtemp(join(tmpdir(), 'acr-login-emulator-'));
  const [ca, entraSigner, acrSigner, registrySigner, githubSigner, adoSigner, workloadSigner, cert] =
    await Promise.all([
      createCertificateAuthority(),
      createSigner(),
      createSigner(),
      createRegistrySigner(),
      createSigner(),
      createSigner(),
      createSigner(),
      createClientCertificate('acr-login spCert'),
    ]);
  const caFile = join(dir, 'ca.pem');
  const registryCertFile = join(dir, 'registry-token-signer.pem');
  const certFile = join(dir, 'spCert.pem');
  const workloadTokenFile = join(dir, 'workload-token');
  await Promise.all([
    writeFile(caFile, ca.caPem),
    writeFile(registryCertFile, registrySigner.certPem),
    writeFile(certFile, cert.pem, { mode: 0o600 }),
  ]);
  const scenario = defaultScenario({
    cert: { pem: cert.pem, file: certFile, thumbprints: [cert.x5t, cert.x5tS256] },
    workloadTokenFile,
    extraRegistries: options.extraRegistries ?? 0,
  });
  await writeFile(
    workloadTokenFile,
    await workloadSigner.sign(
      { iss: WORKLOAD_ISSUER, sub: scenario.workload.subject, aud: OIDC_AUDIENCE },
      24 * 3600,
    ),
  );

  const backends = new Map<string, EmulatedRegistry>();
  const image = helloImage();
  const started = await Promise.allSettled(
    [...scenario.registries.keys()].map(async (loginServer) => {
      const registryDir = join(dir, 'registries', loginServer);
      await mkdir(registryDir, { recursive: true });
      const registry = await startRegistry(loginServer, registryDir, registryCertFile);
      liveRegistries.add(registry);
      backends.set(loginServer, registry);
      // A registry that has just started has refused uploads (401) for a while under heavy load: try
      // again with growing pauses, and fail with the last refusal.
      for (let attempt = 0; ; attempt++) {
        try {
          await seedHello(registry, registrySigner, image);
          break;
        } catch (error) {
          if (attempt >= 5) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        }
      }
    }),
  );
  const stopRegistries = async (): Promise<void> => {
    await Promise.all(
      [...backends.values()].map(async (registry) => {
        await registry.stop();
        liveRegistries.delete(registry);
      }),
    );
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) {
    await stopRegistries();
    await rm(dir, { recursive: true, force: true });
    throw failed.reason;
  }

  const issuers = new Map([
    [GITHUB_ISSUER, githubSigner],
    [ADO_ISSUER, adoSigner],
    [WORKLOAD_ISSUER, workloadSigner],
  ]);
  const ctx: LoopbackContext & AcrContext = {
    scenario,
    entraSigner,
    issuers,
    acrSigner,
    registrySigner,
    backends,
    githubSigner,
    adoSigner,
    githubRequestToken: secret(),
    adoAccessToken: secret(),
    githubSubject: options.githubSubject ?? GITHUB_DEFAULT_SUBJECT,
    lifetimes: { ...DEFAULT_LIFETIMES, ...options.lifetimes },
    refreshClock: { aheadMs: 0 },
  };

  const requests: RecordedRequest[] = [];
  let faults: Array<{ rule: FaultRule; left: number }> = [];

  /** Parse, inject faults, route, and record one request. */
  const serve =
    (route: (host: string, path: string) => Route | undefined) =>
    (req: IncomingMessage, res: ServerResponse): void => {
      const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
      const url = new URL(req.url ?? '/', `https://${host || 'localhost'}`);
      const r: Request = {
        req,
        res,
        host,
        url,
        method: req.method ?? 'GET',
        form: new URLSearchParams(),
        service: 'unknown',
      };
      const handler = route(host, url.pathname);
      let form: Record<string, string> | undefined;
      // Recorded on arrival, and completed when the status line is written: that happens before the client
      // can read a byte of the response, so a test counting right after its client returns sees every
      // request, with its status. (Recording on 'close' raced the client.)
      const recorded: { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] } = {
        service: r.service,
        host,
        method: r.method,
        path: url.pathname,
        query: toRecord(url.searchParams),
        status: 0,
      };
      requests.push(recorded);
      const complete = (status: number): void => {
        recorded.service = r.service;
        if (form !== undefined) recorded.form = form;
        recorded.status = status;
      };
      const writeHead = res.writeHead;
      res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
        complete(args[0]);
        return writeHead.apply(this, args);
      } as ServerResponse['writeHead'];
      // A connection reset by a fault, or a client that went away, leaves no status: 0.
      res.once('close', () => {
        if (!res.headersSent) complete(0);
      });
      const run = async (): Promise<void> => {
        if (handler === undefined) {
          sendJson(res, 404, { error: `nothing served at ${host}${url.pathname}` });
          return;
        }
        const streamed = url.pathname.startsWith('/v2');
        if (!streamed) {
          const body = await readBody(req);
          if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
            const params = new URLSearchParams(body);
            (r as { form: URLSearchParams }).form = params;
            form = toRecord(params);
          }
        }
        const fault = faults.find(
          (f) =>
            f.left > 0 &&
            (f.rule.host === undefined || f.rule.host === host) &&
            (f.rule.pathPrefix === undefined || url.pathname.startsWith(f.rule.pathPrefix)) &&
            (f.rule.method === undefined || f.rule.method === r.method),
        );
        if (fault !== undefined) {
          fault.left -= 1;
          const rule = fault.rule;
          if ('reset' in rule) {
            req.socket.destroy();
            return;
          }
          if ('status' in rule) {
            const headers: Record<string, string> =
              rule.retryAfter === undefined ? {} : { 'retry-after': String(rule.retryAfter) };
            if (typeof rule.body === 'string') {
              res.writeHead(rule.status, {
                'content-length': String(Buffer.byteLength(rule.body)),
                ...headers,
              });
              res.end(rule.body);
            } else {
              sendJson(
                res,
                rule.status,
                rule.body ?? { error: 'injected fault', status: rule.status },
                headers,
              );
            }
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, rule.delayMs));
        }
        await handler(r);
      };
      run().catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: 'emulator failure', message: String(error) });
        else res.destroy();
      });
    };

  const frontDoor = await startFrontDoor(
    ca,
    (host) => ENTRA_HOSTS.has(host) || scenario.registries.has(host) || host === ARM_HOST,
    serve((host) => {
      if (ENTRA_HOSTS.has(host)) return (r) => handleEntra(ctx, r);
      if (host === ARM_HOST) return (r) => handleArm(ctx, r);
      if (scenario.registries.has(host)) return (r) => handleAcr(ctx, r);
      return undefined;
    }),
  );

  const listen = async (server: Server, port = 0): Promise<number> => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  };
  const trackSockets = (server: Server): Set<Socket> => {
    const sockets = new Set<Socket>();
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    return sockets;
  };

  const ciServer = createServer(
    serve((_host, path) => {
      if (path === '/github/token') return (r) => handleGithub(ctx, r);
      if (path === '/ado/oidctoken') return (r) => handleAdo(ctx, r);
      return undefined;
    }),
  );
  const ciSockets = trackSockets(ciServer);
  const ciPort = await listen(ciServer);

  const imdsServer = createServer(serve(() => (r) => handleImds(ctx, r)));
  const imdsSockets = trackSockets(imdsServer);
  let imdsPort = await listen(imdsServer);
  let imdsListening = true;
  const closeServer = async (server: Server, sockets: Set<Socket>): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  const setImdsAvailable = async (available: boolean): Promise<void> => {
    if (available === imdsListening) return;
    imdsListening = available;
    // A fresh port the kernel picks: the old one may have been taken while IMDS was away. imdsUrl and env()
    // report the new one.
    if (available) imdsPort = await listen(imdsServer);
    else await closeServer(imdsServer, imdsSockets);
  };
  if (options.imdsAvailable === false) await setImdsAvailable(false);

  const proxyUrl = frontDoor.proxyUrl;
  const imdsUrl = () => `http://127.0.0.1:${imdsPort}`;
  const github = {
    requestUrl: `http://127.0.0.1:${ciPort}/github/token?api-version=2.0`,
    requestToken: ctx.githubRequestToken,
  };
  const ado = {
    oidcRequestUri: `http://127.0.0.1:${ciPort}/ado/oidctoken`,
    accessToken: ctx.adoAccessToken,
    serviceConnectionId: ADO_SERVICE_CONNECTION.id,
  };
  let stopped = false;

  return {
    proxyUrl,
    caFile,
    caPem: ca.caPem,
    get imdsUrl() {
      return imdsUrl();
    },
    github,
    ado,
    scenario,
    dir,
    env(extra = {}) {
      return {
        HTTPS_PROXY: proxyUrl,
        https_proxy: proxyUrl,
        NO_PROXY: '127.0.0.1,localhost',
        no_proxy: '127.0.0.1,localhost',
        NODE_EXTRA_CA_CERTS: caFile,
        SSL_CERT_FILE: caFile,
        AZURE_POD_IDENTITY_AUTHORITY_HOST: imdsUrl(),
        ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
        SYSTEM_OIDCREQUESTURI: ado.oidcRequestUri,
        ...extra,
      };
    },
    dispatcher() {
      return new EnvHttpProxyAgent({
        httpsProxy: proxyUrl,
        httpProxy: '',
        noProxy: '127.0.0.1,localhost',
        requestTls: { ca: ca.caPem },
      });
    },
    requests,
    count(filter) {
      return requests.filter((r) => matches(r, filter)).length;
    },
    resetRequests() {
      requests.length = 0;
    },
    fault(rule) {
      faults.push({ rule, left: rule.times ?? 1 });
    },
    clearFaults() {
      faults = [];
    },
    setImdsAvailable,
    githubSubject(subject) {
      ctx.githubSubject = subject;
    },
    setLifetimes(lifetimes) {
      Object.assign(ctx.lifetimes, lifetimes);
    },
    setRefreshClockAhead(seconds) {
      ctx.refreshClock.aheadMs = seconds * 1000;
    },
    githubToken(claims = {}, lifetimeSeconds = 600) {
      return githubSigner.sign(
        { iss: GITHUB_ISSUER, sub: ctx.githubSubject, aud: OIDC_AUDIENCE, ...claims },
        lifetimeSeconds,
      );
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all([
        frontDoor.close(),
        closeServer(ciServer, ciSockets),
        imdsListening ? closeServer(imdsServer, imdsSockets) : Promise.resolve(),
        stopRegistries(),
      ]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Random value for tests that need a wrong secret or token. */
export function randomSecret(): string {
  return randomBytes(24).toString('base64url');
}
