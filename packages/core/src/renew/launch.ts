import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, parse } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileAtomic } from '../clients/config-file.ts';
import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError } from '../errors.ts';
import { processAlive } from './agent.ts';
import { AGENT_FILE, type AgentFile, AgentUnreachable, askAgent, readAgentFile } from './agent-client.ts';
import { AGENT_IDLE_MS, AGENT_MAX_LIFETIME_MS, type AgentConfig } from './agent-config.ts';
import { AGENT_ARGUMENT } from './bundle-commands.ts';
import type { ServerToken } from './renewals.ts';

/** A unix socket path longer than this does not fit `sockaddr_un` on macOS (104 bytes with its NUL). */
export const MAX_SOCKET_PATH_BYTES = 103;
/** How long the step waits for a new agent to answer, and the post step for one to stop. */
export const AGENT_START_TIMEOUT_MS = 15_000;
export const AGENT_STOP_TIMEOUT_MS = 5_000;
/**
 * Between pings while the agent starts. It answers once Node has started and loaded it, about 100 ms on a
 * CI machine, and a ping to a socket not yet there fails at once: a short pause lets the step go on about
 * as soon as the agent can answer (a 50 ms pause cost the step 15-20 ms on average).
 */
const AGENT_PING_INTERVAL_MS = 10;

/**
 * The agent's endpoint: `<renewal folder>/agent.sock` on POSIX (the folder is 0700), a named pipe with an
 * unguessable name on Windows, where the pipe namespace is global.
 */
export function agentEndpoint(dir: string, helper: string, platform: NodeJS.Platform): string {
  if (platform === 'win32') return `\\\\.\\pipe\\${helper}-${randomBytes(8).toString('hex')}`;
  return join(dir, 'agent.sock');
}

/** Why no agent can listen under `dir` on `platform`, or undefined. Checked before the login. */
export function agentProblem(dir: string, helper: string, platform: NodeJS.Platform): string | undefined {
  if (platform === 'win32') return undefined;
  const length = Buffer.byteLength(agentEndpoint(dir, helper, platform));
  if (length <= MAX_SOCKET_PATH_BYTES) return undefined;
  return `its socket path under the job's temp directory would be ${length} bytes, over the ${MAX_SOCKET_PATH_BYTES} a unix socket allows`;
}

export function agentUnavailable(why: string, cause?: unknown): AcrLoginError {
  return new AcrLoginError('INPUT_INVALID', ERROR_TEXTS.INPUT_INVALID.renewalAgentCannotRun(why), {
    input: 'renew',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Variables that carry a step's inputs and the runner's secrets: the agent gets its secret on stdin only. */
const SECRET_VARIABLE = /^(INPUT_|ENDPOINT_|SECRET_|SYSTEM_ACCESSTOKEN$|ACTIONS_ID_TOKEN_REQUEST_TOKEN$)/i;

/**
 * The agent's environment: the step's, so that it finds proxies and CAs and the runner's orphan clean-up
 * recognises it, without anything that holds a secret (a process's environment is readable by its user's
 * other processes), and without a Node inspector that would open its memory.
 */
export function agentEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  secrets: readonly string[],
): Record<string, string> {
  const known = secrets.filter((secret) => secret.length >= 4);
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined &&
        !SECRET_VARIABLE.test(entry[0]) &&
        !(entry[0] === 'NODE_OPTIONS' && /--inspect/.test(entry[1])) &&
        !known.some((secret) => (entry[1] as string).includes(secret)),
    ),
  );
}

export interface LaunchOptions<P> {
  /** `process.execPath` of the step. */
  readonly node: string;
  /** The step's bundle, which runs the agent for `renewal-agent`. */
  readonly bundle: string;
  /** The renewal folder (0700). */
  readonly dir: string;
  readonly helper: string;
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly plan: P;
  /** The plan's secrets, kept out of the agent's environment. */
  readonly secrets: readonly string[];
  readonly servers: Readonly<Record<string, ServerToken>>;
  readonly watchPid?: number;
  readonly maxLifetimeMs?: number;
  readonly idleMs?: number;
  readonly startTimeoutMs?: number;
}

export interface LaunchedAgent {
  readonly pid: number;
  readonly endpoint: string;
}

/**
 * Starts the agent detached from the step, with stdout and stderr ignored (a runner waits for a step's
 * output handles to close) and its configuration, secret included, on stdin; returns once it answers.
 */
export async function launchAgent<P>(options: LaunchOptions<P>): Promise<LaunchedAgent> {
  const endpoint = agentEndpoint(options.dir, options.helper, options.platform);
  const token = randomBytes(32).toString('hex');
  await writeFileAtomic(
    join(options.dir, AGENT_FILE),
    JSON.stringify({ endpoint, token } satisfies AgentFile),
  );
  const child = spawn(options.node, [options.bundle, AGENT_ARGUMENT], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: agentEnvironment(options.env, options.secrets),
    // Not the renewal folder: a process's working folder cannot be removed on Windows.
    cwd: parse(options.dir).root,
    windowsHide: true,
  });
  const early = exitBeforeAnswer(child);
  child.stdin?.on('error', () => {});
  child.stdin?.end(JSON.stringify(agentConfig(options, endpoint, token)));
  await awaitPong(child, { endpoint, token }, early, options.startTimeoutMs ?? AGENT_START_TIMEOUT_MS);
  child.removeAllListeners();
  child.unref();
  return { pid: child.pid as number, endpoint };
}

function agentConfig<P>(options: LaunchOptions<P>, endpoint: string, token: string): AgentConfig<P> {
  return {
    version: 1,
    endpoint,
    token,
    dir: options.dir,
    plan: options.plan,
    servers: options.servers,
    ...(options.watchPid === undefined ? {} : { watchPid: options.watchPid }),
    maxLifetimeMs: options.maxLifetimeMs ?? AGENT_MAX_LIFETIME_MS,
    idleMs: options.idleMs ?? AGENT_IDLE_MS,
  };
}

/** Why the child ended (or never started), once it has; undefined while it runs. */
function exitBeforeAnswer(child: ChildProcess): () => string | undefined {
  let early: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`it could not be started (${error.message})`));
    child.once('exit', (code, signal) =>
      resolve(`it exited (${signal ?? `code ${code}`}) before it answered`),
    );
  });
  void exited.then((why) => {
    early = why;
  });
  return () => early;
}

/** Pings until this child answers; ends it when it does not within `timeoutMs`. */
async function awaitPong(
  child: ChildProcess,
  agent: AgentFile,
  early: () => string | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const why = early();
    if (why !== undefined) throw agentUnavailable(why);
    try {
      const pong = await askAgent(agent.endpoint, { token: agent.token, op: 'ping' }, 2_000);
      if (pong.code === 0 && pong.pid === child.pid) return;
      last = pong.stderr.trim();
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      child.kill();
      throw agentUnavailable(`it did not answer within ${timeoutMs / 1000} s (${last})`);
    }
    await sleep(AGENT_PING_INTERVAL_MS);
  }
}

/**
 * Asks the agent of `dir` to stop and waits until its process `pid` is gone; ends it by pid when it does not
 * answer but its process is still the one that answered ping. 'not running' when there was none.
 */
export async function stopAgent(dir: string, pid: number): Promise<'stopped' | 'not running' | 'killed'> {
  const file = await readAgentFile(dir);
  let ours = false;
  if (file !== undefined) {
    try {
      const pong = await askAgent(file.endpoint, { token: file.token, op: 'ping' }, AGENT_STOP_TIMEOUT_MS);
      ours = pong.pid === pid;
      if (ours) await askAgent(file.endpoint, { token: file.token, op: 'stop' }, AGENT_STOP_TIMEOUT_MS);
    } catch (error) {
      if (!(error instanceof AgentUnreachable)) throw error;
    }
  }
  if (!ours) return 'not running';
  const deadline = Date.now() + AGENT_STOP_TIMEOUT_MS;
  while (processAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return 'killed';
    }
    await sleep(25);
  }
  return 'stopped';
}
