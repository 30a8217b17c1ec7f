import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { writeRenewState } from '../../src/renew/index.ts';
import { stateFor, tempDir } from './support.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');
const WORKER = join(import.meta.dirname, 'worker.ts');
// Eight tsx processes prove the lock across processes; the e2e test runs 20 real helper processes.
const COUNT = 8;

interface Worker {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startWorker(args: readonly string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
  const ready = new Promise<void>((done, fail) => {
    child.stdout.on('data', () => {
      if (stdout.includes('ready')) done();
    });
    void exit.then(({ stderr: text }) => fail(new Error(`worker exited before it was ready: ${text}`)));
  });
  return { child, ready, exit };
}

test(`${COUNT} helper processes asking for an expired token at once: one renewal serves them all`, {
  timeout: 120_000,
}, async () => {
  const dir = await tempDir();
  const stateFile = join(dir, 'state.json');
  const countFile = join(dir, 'renewals.txt');
  // Obtained two hours ago with a one-hour lifetime: expired.
  await writeRenewState(stateFile, stateFor(['contoso.azurecr.io'], Date.now() - 7_200_000, 3_600_000));
  const workers = Array.from({ length: COUNT }, () => startWorker([stateFile, countFile]));
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) worker.child.stdin.end('go\n');
  const exits = await Promise.all(workers.map((worker) => worker.exit));

  const renewals = (await readFile(countFile, 'utf8')).trim().split('\n');
  expect(renewals).toHaveLength(1);
  const [pid] = (renewals[0] ?? '').split(' ');
  const secrets = exits.map(({ code, stdout, stderr }) => {
    expect(code, stderr).toBe(0);
    return (JSON.parse(stdout.replace('ready\n', '')) as { Secret: string }).Secret;
  });
  expect(new Set(secrets)).toEqual(new Set([`rt-renewed-by-${pid}`]));
});
