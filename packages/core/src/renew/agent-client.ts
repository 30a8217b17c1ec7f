import { connect } from 'node:net';
import { join } from 'node:path';
import { readFile } from '../fs-async.ts';
import { hasFields } from '../util.ts';
import type { HelperResult } from './renewals.ts';

/** The client side of the renewal agent's protocol (see agent.ts): small, for the credential helper. */

/** Where the helper finds the agent: `{"endpoint","token"}`, 0600, in the renewal folder. */
export const AGENT_FILE = 'agent.json';

export interface AgentFile {
  readonly endpoint: string;
  readonly token: string;
}

export type AgentOp = 'get' | 'list' | 'ping' | 'stop';

export interface AgentRequest {
  readonly token: string;
  readonly op: AgentOp;
  /** `get`: the registry as the client named it. */
  readonly server?: string;
}

export interface AgentResponse extends HelperResult {
  /** `ping`: the agent's process id, so the post step knows it is talking to the process it started. */
  readonly pid?: number;
}

export class AgentUnreachable extends Error {
  override readonly name = 'AgentUnreachable';
}

/** One request to the agent at `endpoint`; throws AgentUnreachable when nobody answers within `timeoutMs`. */
export function askAgent(endpoint: string, request: AgentRequest, timeoutMs: number): Promise<AgentResponse> {
  return new Promise<AgentResponse>((resolve, reject) => {
    const socket = connect(endpoint);
    let text = '';
    const fail = (why: string) => {
      socket.destroy();
      reject(new AgentUnreachable(why));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(error.code ?? error.message);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        const response: unknown = JSON.parse(text);
        if (!hasFields(response, { code: 'number' })) throw new Error('no code');
        resolve(response as AgentResponse);
      } catch {
        reject(new AgentUnreachable('the answer was not a renewal agent response'));
      }
    });
  });
}

export async function readAgentFile(dir: string): Promise<AgentFile | undefined> {
  try {
    const file: unknown = JSON.parse(await readFile(join(dir, AGENT_FILE), 'utf8'));
    return hasFields(file, { endpoint: 'string', token: 'string' }) ? file : undefined;
  } catch {
    return undefined;
  }
}
