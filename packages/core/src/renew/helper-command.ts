import { errorMessage } from '../errors.ts';
import { normaliseServer, parseCommand } from '../helper-protocol.ts';
import type { Clock } from '../types.ts';
import {
  type AgentRequest,
  type AgentResponse,
  AgentUnreachable,
  askAgent,
  readAgentFile,
} from './agent-client.ts';
import { readCached } from './cache.ts';
import { failure, type HelperResult, notFound, PREFIX, RENEW_WAIT_TIMEOUT_MS, serve } from './renewals.ts';

export type { HelperResult } from './renewals.ts';

/** Sends one request to the agent of a renewal folder. */
export type AskAgent = (request: Omit<AgentRequest, 'token'>) => Promise<AgentResponse>;

export interface HelperRequest {
  /** The renewal folder (from the shim): the cache files and the agent file. */
  readonly dir: string;
  /** `get`, `store`, `erase` or `list` (argv after the folder). */
  readonly command: string | undefined;
  /** Everything the client wrote to stdin. */
  readonly input: string;
  readonly clock: Clock;
  /** Injected for tests; by default the agent named in the folder's agent file. */
  readonly ask?: AskAgent;
}

function agentOf(dir: string): AskAgent {
  return async (request) => {
    const file = await readAgentFile(dir);
    if (file === undefined) throw new AgentUnreachable('its agent file is gone');
    return askAgent(file.endpoint, { ...request, token: file.token }, RENEW_WAIT_TIMEOUT_MS);
  };
}

function gone(dir: string, error: unknown): string {
  return (
    `the renewal agent of "${dir}" is not running (${errorMessage(error)}): the login step's post step ` +
    'stopped it, or the job is over'
  );
}

/**
 * A `get`: a fresh credential from the server's cache file, else the agent's answer (which renews it). When the
 * agent is gone, a still valid cached credential is served with a warning; else the client goes on without.
 */
async function get(request: HelperRequest, ask: AskAgent, requested: string): Promise<HelperResult> {
  const server = normaliseServer(requested);
  const cached = await readCached(request.dir, server);
  if (cached !== undefined && request.clock.now() < cached.renewAt) return serve(requested, cached);
  try {
    return await ask({ op: 'get', server: requested });
  } catch (error) {
    if (!(error instanceof AgentUnreachable)) throw error;
    if (cached !== undefined && request.clock.now() < cached.expiresOn) {
      const until = new Date(cached.expiresOn).toISOString();
      return serve(
        requested,
        cached,
        `${PREFIX}: warning: ${gone(request.dir, error)}; the credentials for "${server}" stay valid until ${until}.\n`,
      );
    }
    return notFound(gone(request.dir, error));
  }
}

/**
 * One run of the credential helper. `store` and `erase` are accepted and do nothing: the login step owns the
 * credentials, and its post step removes them whether or not a client logs out.
 */
export async function runCredentialHelper(request: HelperRequest): Promise<HelperResult> {
  const command = parseCommand(request.command);
  const ask = request.ask ?? agentOf(request.dir);
  try {
    switch (command) {
      case 'get':
        return await get(request, ask, request.input.trim());
      case 'list':
        try {
          return await ask({ op: 'list' });
        } catch (error) {
          if (error instanceof AgentUnreachable) return { code: 0, stdout: '{}', stderr: '' };
          throw error;
        }
      case 'store':
      case 'erase':
        return { code: 0, stdout: '', stderr: '' };
      default:
        return failure(
          `unknown command "${request.command ?? ''}": a docker credential helper answers get, store, erase and list`,
        );
    }
  } catch (error) {
    return failure(errorMessage(error));
  }
}
