import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every file under `dir` (any depth) whose bytes contain one of `secrets`, as `path: <first 4 characters>…`:
 * what a later step of the job, running as the same user, could read there.
 */
export async function filesHolding(dir: string, secrets: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path).catch(() => Buffer.alloc(0));
    for (const secret of secrets) if (bytes.includes(secret)) found.push(`${path}: ${secret.slice(0, 4)}…`);
  }
  return found;
}
