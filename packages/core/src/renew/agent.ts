import { timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { errorMessage } from '../errors.ts';
import { chmod, rm } from '../fs-async.ts';
import type { Clock } from '../types.ts';
import type { AgentRequest, AgentResponse } from './agent-client.ts';
import { type AgentConfig, parseAgentConfig } from './agent-config.ts';
import { CACHE_DIRECTORY } from './cache.ts';
import { writeCached } from './cache-writer.ts';
import { failure, Renewals, type RenewFactory, renewAt } from './renewals.ts';

/**
 * The renewal agent, as ssh-agent is for keys: one detached process per login step that holds the identity's
 * secret in memory only and answers the credential helper with registry credentials for the planned
 * registries. Requests and answers are one JSON line each over a unix socket in the 0700 renewal folder
 * (0600 itself) or a named pipe on Windows; every request carries the token of the agent file beside it.
 *
 * Requests: `{"token","op":"get","server"}` -> a helper result `{"code","stdout","stderr"}`;
 * `{"token","op":"list"}` -> the same, with `{server: username}` JSON; `{"token","op":"ping"}` ->
 * `{"code":0,…,"pid"}`; `{"token","op":"stop"}` -> `{"code":0,…}`, then the agent exits. Nothing returns
 * the identity or its secret: the protocol has no request for them.
 */

/** How often the agent checks that its job is still there. */
export const AGENT_CHECK_MS = 5_000;
/** A client must send its request line within this; the answer may take a renewal's time. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** No request is longer: a server name and a token. */
export const MAX_REQUEST_BYTES = 16 * 1024;

const OPS = ['get', 'list', 'ping', 'stop'] as const;

function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function result(code: number, stdout: string, stderr = ''): AgentResponse {
  return { code, stdout, stderr };
}

export interface ServeAgentOptions<P> {
  readonly config: AgentConfig<P>;
  readonly clock: Clock;
  readonly renewer: RenewFactory<P>;
  readonly platform: NodeJS.Platform;
  readonly checkEveryMs?: number;
  /** Whether a process exists (`process.kill(pid, 0)`), injected for tests. */
  readonly alive?: (pid: number) => boolean;
  /**
   * Awaited once it listens, before its job checks start, with the promise `RunningAgent.stopped` is: for
   * tests that send a request in that window.
   */
  readonly listening?: (stopped: Promise<string>) => Promise<void>;
}

export interface RunningAgent {
  /** Resolves with why the agent stopped, once it no longer listens and its files are gone. */
  readonly stopped: Promise<string>;
  stop(reason: string): Promise<string>;
  /** One round of the job checks (the agent runs them every `checkEveryMs`). */
  check(): Promise<void>;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, as another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, its parent never waits: a container's init may not) is gone for our purpose.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** What the agent's request handling, job checks and stop share while it serves. */
interface AgentState<P> {
  readonly config: AgentConfig<P>;
  readonly clock: Clock;
  readonly platform: NodeJS.Platform;
  readonly alive: (pid: number) => boolean;
  readonly renewals: Renewals<P>;
  readonly started: number;
  readonly server: Server;
  readonly resolveStopped: (reason: string) => void;
  lastRequest: number;
  timer?: NodeJS.Timeout;
  stopping?: Promise<string>;
}

/** Listens on the configured endpoint and answers until stopped, its job is gone, or a bound passes. */
export async function serveAgent<P>(options: ServeAgentOptions<P>): Promise<RunningAgent> {
  const { config, clock, platform } = options;
  const renewals = new Renewals<P>({
    plan: config.plan,
    servers: config.servers,
    clock,
    renewer: options.renewer,
    renewed: (server, token) =>
      writeCached(config.dir, server, { ...token, renewAt: renewAt(token) }).catch(() => {}),
  });
  const started = clock.now();
  let resolveStopped: (reason: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    resolveStopped = resolve;
  });
  const agent: AgentState<P> = {
    config,
    clock,
    platform,
    alive: options.alive ?? processAlive,
    renewals,
    started,
    server: createServer((socket) => serveConnection(agent, socket)),
    resolveStopped,
    lastRequest: started,
  };
  await listen(agent.server, config.endpoint, platform);
  if (options.listening !== undefined) await options.listening(stopped);
  // A `stop` may arrive as soon as it listens: a stopped agent starts no timer.
  if (agent.stopping === undefined) {
    agent.timer = setInterval(() => void checkJob(agent), options.checkEveryMs ?? AGENT_CHECK_MS);
  }
  return { stopped, stop: (reason) => stopServing(agent, reason), check: () => checkJob(agent) };
}

async function listen(server: Server, endpoint: string, platform: NodeJS.Platform): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (platform === 'win32') {
      server.listen(endpoint, () => resolve());
      return;
    }
    // 0600 from its creation; its folder is 0700 anyway.
    const umask = process.umask(0o177);
    server.listen(endpoint, () => resolve());
    process.umask(umask);
  });
  if (platform !== 'win32') await chmod(endpoint, 0o600);
}

/** Reads one request line, bounded in size and time, and writes its one answer. */
function serveConnection<P>(agent: AgentState<P>, socket: Socket): void {
  socket.setEncoding('utf8');
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => {});
  let buffer = '';
  const onData = (chunk: string) => {
    buffer += chunk;
    const end = buffer.indexOf('\n');
    if (end === -1) {
      if (buffer.length > MAX_REQUEST_BYTES) socket.destroy();
      return;
    }
    socket.off('data', onData);
    // The answer may wait for a renewal, which is bounded by its own HTTP timeouts.
    socket.setTimeout(0);
    void answerRequest(agent, buffer.slice(0, end))
      // Whatever goes wrong, the client gets an answer and the agent keeps serving the others.
      .catch((error: unknown) => ({ response: failure(errorMessage(error)), after: undefined }))
      .then(({ response, after }) => {
        socket.end(`${JSON.stringify(response)}\n`, after);
      });
  };
  socket.on('data', onData);
}

async function answerRequest<P>(
  agent: AgentState<P>,
  line: string,
): Promise<{ response: AgentResponse; after?: () => void }> {
  let request: Partial<AgentRequest>;
  try {
    request = JSON.parse(line) as Partial<AgentRequest>;
  } catch {
    return { response: result(1, '', 'the renewal agent got a request that is not JSON\n') };
  }
  if (typeof request !== 'object' || request === null || !sameToken(request.token, agent.config.token)) {
    return { response: result(1, '', 'the renewal agent refused a request without its token\n') };
  }
  agent.lastRequest = agent.clock.now();
  switch (request.op) {
    case 'get':
      return { response: await agent.renewals.get(typeof request.server === 'string' ? request.server : '') };
    case 'list':
      return { response: result(0, JSON.stringify(agent.renewals.list())) };
    case 'ping':
      return { response: { ...result(0, ''), pid: process.pid } };
    case 'stop':
      return { response: result(0, ''), after: () => void stopServing(agent, 'asked to stop') };
    default:
      return {
        response: result(
          1,
          '',
          `the renewal agent knows no request "${String(request.op)}" (${OPS.join(', ')})\n`,
        ),
      };
  }
}

/** Stops when the job is over: its worker or folder gone, or the lifetime or idle bound passed. */
async function checkJob<P>(agent: AgentState<P>): Promise<void> {
  const { config } = agent;
  const now = agent.clock.now();
  if (config.watchPid !== undefined && !agent.alive(config.watchPid))
    await stopServing(agent, 'the job ended');
  else if (!existsSync(config.dir)) await stopServing(agent, 'its folder was removed');
  else if (now - agent.started >= config.maxLifetimeMs)
    await stopServing(agent, 'it reached its maximum lifetime');
  else if (now - agent.lastRequest >= config.idleMs) await stopServing(agent, 'it was idle too long');
}

function stopServing<P>(agent: AgentState<P>, reason: string): Promise<string> {
  agent.stopping ??= (async () => {
    clearInterval(agent.timer);
    agent.server.close();
    // What it served goes with it: the socket, and the registry credentials of the cache.
    if (agent.platform !== 'win32') await rm(agent.config.endpoint, { force: true }).catch(() => {});
    await rm(`${agent.config.dir}/${CACHE_DIRECTORY}`, { recursive: true, force: true }).catch(() => {});
    agent.resolveStopped(reason);
    return reason;
  })();
  return agent.stopping;
}

async function readAll(stream: NodeJS.ReadableStream, limit: number, timeoutMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(() => process.exit(2), timeoutMs);
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('the renewal agent configuration is too large');
    chunks.push(chunk as Buffer);
  }
  clearTimeout(timer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The agent process: `<node> <bundle> renewal-agent`, detached, its configuration on stdin. Its stdout and
 * stderr go nowhere, so it exits non-zero when it cannot start: the step sees that before relying on it.
 */
export async function renewalAgentMain(): Promise<never> {
  try {
    const config = parseAgentConfig(await readAll(process.stdin, 4 * 1024 * 1024, 30_000));
    const agent = await serveAgent({
      config,
      clock: { now: () => Date.now() },
      platform: process.platform,
      renewer: async (plan) =>
        (await import('./renewer.ts')).createRenew(plan as import('./renewer.ts').RenewalPlan, {
          env: process.env,
        }),
    });
    // The runners' end-of-job clean-up sends SIGTERM first: take the socket and the cache along.
    process.once('SIGTERM', () => void agent.stop('terminated'));
    await agent.stopped;
    process.exit(0);
  } catch {
    process.exit(1);
  }
}
