import { hasFields } from '../util.ts';
import type { ServerToken } from './renewals.ts';

/** What the step hands the agent on stdin: never argv or the environment, which other processes can read. */
export interface AgentConfig<P> {
  readonly version: 1;
  /** The unix socket or named pipe to listen on. */
  readonly endpoint: string;
  /** Every request must carry it. */
  readonly token: string;
  /** The renewal folder: its cache files are rewritten on renewal; when it is gone, the job is over. */
  readonly dir: string;
  readonly plan: P;
  readonly servers: Readonly<Record<string, ServerToken>>;
  /** The process running the job's steps (the runner's worker): when it is gone, the job is over. */
  readonly watchPid?: number;
  /** The agent never lives longer than this, whatever else happens (ms). */
  readonly maxLifetimeMs: number;
  /** Nor this long without a request (ms). */
  readonly idleMs: number;
}

/** Longer than any job GitHub Actions or Azure Pipelines runs (GitHub's self-hosted limit is 5 days). */
export const AGENT_MAX_LIFETIME_MS = 5 * 24 * 3_600_000;
/** A build that touches no registry for a day is over, or has lost its renewal's use anyway. */
export const AGENT_IDLE_MS = 24 * 3_600_000;

function isServerToken(value: unknown): value is ServerToken {
  return hasFields(value, {
    username: 'string',
    password: 'string',
    expiresOn: 'number',
    obtainedAt: 'number',
  });
}

/** Parses the agent's configuration from stdin; the error never quotes it (it holds the secret). */
export function parseAgentConfig<P>(text: string): AgentConfig<P> {
  const config = JSON.parse(text) as Partial<AgentConfig<P>> | null;
  if (
    config === null ||
    typeof config !== 'object' ||
    config.version !== 1 ||
    typeof config.endpoint !== 'string' ||
    typeof config.token !== 'string' ||
    config.token.length < 32 ||
    typeof config.dir !== 'string' ||
    typeof config.maxLifetimeMs !== 'number' ||
    typeof config.idleMs !== 'number' ||
    typeof config.servers !== 'object' ||
    config.servers === null ||
    !Object.values(config.servers).every(isServerToken)
  ) {
    throw new Error('the renewal agent was started without a valid configuration');
  }
  return config as AgentConfig<P>;
}
