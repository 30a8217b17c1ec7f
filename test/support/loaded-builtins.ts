import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const PRELOAD = join(import.meta.dirname, 'loaded-builtins.cjs');

/** Node's HTTP client: a step that sends no request has no use for these built-in modules. */
export const HTTP_CLIENT = ['http', 'https', 'tls'];

/**
 * What makes a Node process write the built-in modules it loaded to `file` (through NODE_OPTIONS, so that
 * it reaches a bundle started by a shim too), and the reader of that list.
 */
export function builtinsProbe(file: string): { env: Record<string, string>; loaded(): string[] } {
  return {
    env: { NODE_OPTIONS: `--require "${PRELOAD}"`, LOADED_BUILTINS_FILE: file },
    loaded: () => readFileSync(file, 'utf8').trim().split('\n'),
  };
}
