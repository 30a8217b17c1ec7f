import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { commandLines } from '../../../../test/support/log-commands.ts';
import { AcrLoginError } from '../../src/errors.ts';
import { type RunningAgent, serveAgent } from '../../src/renew/agent.ts';
import { AGENT_FILE, renewAt, writeCached } from '../../src/renew/index.ts';
import { HOUR, PLAN, type Plan, recordingRenewer, serversFor, tempDir } from './support.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');
const ENTRY = join(ROOT, 'test/support/renew-helper-entry.ts');
const SERVER = 'contoso.azurecr.io';

const agents: RunningAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.stop('test over')));
});

function helper(dir: string, input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'credential-helper', dir, 'get'], {
    cwd: ROOT,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  return new Promise((done) => child.on('close', (code) => done({ code: code ?? -1, stdout, stderr })));
}

test("a registry's error text reaches the job's log as text, never as a GitHub or Azure Pipelines command", async () => {
  const dir = await tempDir();
  await mkdir(join(dir, 'cache'));
  const clock = { now: () => Date.now() };
  // Expired four hours ago: the helper asks the agent, whose renewal is refused with hostile text.
  const servers = serversFor([SERVER], Date.now() - 4 * HOUR);
  for (const [server, token] of Object.entries(servers)) {
    await writeCached(dir, server, { ...token, renewAt: renewAt(token) });
  }
  const injected =
    'HTTP 401: UNAUTHORIZED no\n::warning::injected\r##[error]legacy\n##vso[task.setvariable variable=PATH]/evil';
  const renewer = recordingRenewer(clock, {
    fail: () => new AcrLoginError('ACR_EXCHANGE_DENIED', injected),
  });
  const endpoint = join(dir, 'agent.sock');
  const token = randomBytes(32).toString('hex');
  await writeFile(join(dir, AGENT_FILE), JSON.stringify({ endpoint, token }));
  agents.push(
    await serveAgent<Plan>({
      config: { version: 1, endpoint, token, dir, plan: PLAN, servers, maxLifetimeMs: 1e12, idleMs: 1e12 },
      clock,
      renewer: (plan) => renewer.factory(plan),
      platform: process.platform,
      checkEveryMs: HOUR,
    }),
  );
  const result = await helper(dir, SERVER);
  expect(result.code).toBe(1);
  expect(renewer.calls).toEqual([SERVER]);
  const output = `${result.stdout}${result.stderr}`;
  expect(output).toContain('::warning::injected');
  expect(output).toContain('task.setvariable variable=PATH]/evil');
  expect(commandLines(output, 'github')).toEqual([]);
  expect(commandLines(output, 'azure-pipelines')).toEqual([]);
});
