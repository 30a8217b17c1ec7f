import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tempDir as newTempDir } from '../../../../test/support/temp-dirs.ts';
import type { Logger } from '../../src/types.ts';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

/** A fresh directory under the system temp dir, removed after the file's tests. */
export async function tempDir(): Promise<string> {
  return newTempDir('acr-login-clients-');
}

export interface RecordingLogger extends Logger {
  readonly lines: string[];
}

/** Keeps every line, so tests can check what was logged and that no secret was. */
export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  return {
    lines,
    debug: (message) => lines.push(`debug: ${message}`),
    info: (message) => lines.push(`info: ${message}`),
    warning: (message) => lines.push(`warning: ${message}`),
    mask: (secret) => lines.push(`mask: ${secret}`),
  };
}

const ROOT = resolve(import.meta.dirname, '../../../..');
const WORKER = join(import.meta.dirname, 'worker.ts');

export interface Worker {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  /** Resolves with the step the worker stopped at, when it was told to stop at one (see worker.ts). */
  readonly paused: Promise<string>;
  readonly exit: Promise<{ code: number | null; stderr: string }>;
}

/** Start `worker.ts` with `args`; it says "ready" and waits for a line on stdin before it writes. */
export function startWorker(args: readonly string[]): Worker {
  // tsx makes plain Node 20 run the TypeScript module as it is; resolved from the repository root.
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { cwd: ROOT });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((done) => {
    child.once('close', (code) => done({ code, stderr }));
  });
  const seen = (pattern: RegExp) =>
    new Promise<string>((done, fail) => {
      // Registered after the accumulating listener, so `stdout` already holds this chunk.
      child.stdout.on('data', () => {
        const match = pattern.exec(stdout);
        if (match) done(match[1] ?? '');
      });
      void exit.then(({ stderr: text }) => fail(new Error(`worker exited before ${pattern}: ${text}`)));
    });
  const ready = seen(/(ready)\n/).then(() => {});
  const paused = seen(/paused at (\S+)\n/);
  // Only some callers wait for a pause: keep an unawaited rejection from failing the run.
  paused.catch(() => {});
  return { child, ready, paused, exit };
}
