import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Directories the tests make under the system temp folder, each removed after its test file: the setup file
 * test/support/remove-temp-dirs.ts (vitest.config.ts `setupFiles`) calls `removeTempDirs` after the file's
 * own afterAll hooks. This module registers no hook itself, so the scripts that import test support can too.
 */
const made = new Set<string>();

/** A fresh directory `<system temp>/<prefix>XXXXXX`, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes every directory `tempDir` made so far. */
export async function removeTempDirs(): Promise<void> {
  const dirs = [...made];
  made.clear();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 3 })));
}
