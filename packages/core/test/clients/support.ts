import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { Logger } from '../../src/types.ts';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

const created: string[] = [];
afterAll(async () => {
  await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh directory under the system temp dir, removed after the file's tests. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'acr-login-clients-'));
  created.push(dir);
  return dir;
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
