import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { commandLines } from '../../../../test/support/log-commands.ts';
import { writeRenewState } from '../../src/renew/index.ts';
import { stateFor, tempDir } from './support.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');
const ENTRY = join(ROOT, 'test/support/renew-helper-entry.ts');
const SERVER = 'contoso.azurecr.io';

function helper(stateFile: string, input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'credential-helper', stateFile, 'get'], {
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
  const stateFile = join(await tempDir(), 'state.json');
  const now = Date.now();
  const state = stateFor([SERVER], now - 4 * 3600_000);
  const token = state.servers[SERVER];
  if (token === undefined) throw new Error('no token');
  // Expired, and its renewal failed a moment ago: the helper answers with that failure, without renewing.
  const injected =
    'HTTP 401: UNAUTHORIZED no\n::warning::injected\r##[error]legacy\n##vso[task.setvariable variable=PATH]/evil';
  await writeRenewState(stateFile, {
    ...state,
    servers: { [SERVER]: { ...token, failure: { at: now, code: 'ACR_EXCHANGE_DENIED', message: injected } } },
  });
  const result = await helper(stateFile, SERVER);
  expect(result.code).toBe(1);
  const output = `${result.stdout}${result.stderr}`;
  expect(output).toContain('::warning::injected');
  expect(output).toContain('task.setvariable variable=PATH]/evil');
  expect(commandLines(output, 'github')).toEqual([]);
  expect(commandLines(output, 'azure-pipelines')).toEqual([]);
});
