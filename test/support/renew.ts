import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { type RunResult, run, toolsOnlyFolder } from './clients.ts';

/** podman, buildah and docker as clients of the renewal tests; what the renewal e2e files share. */

/**
 * Token lifetimes of the renewal e2e tests, in seconds: short enough to wait out, long enough for the logins
 * and first pushes before them on a loaded CI machine. A refresh token is renewed in its last quarter: 10 s
 * for a client to meet a due but valid token. The tests ask in the middle of it, 5 s before expiry, so a
 * helper slowed by the other test files running alongside still meets a valid token.
 */
export const LIFETIMES = { refreshToken: 40, oidc: 10 } as const;

/** A second after the last of `expiries` and of an OIDC token asked for now: nothing of the login is valid. */
export function allExpiredAt(expiries: readonly number[]): number {
  return Math.max(...expiries, Date.now() + LIFETIMES.oidc * 1000) + 1000;
}

export async function sleepUntil(ms: number): Promise<void> {
  await sleep(Math.max(ms - Date.now(), 0));
}

/**
 * `count` clients asking `docker-credential-<helper> get` for `server` at once, as parallel pushes do: each
 * must succeed quietly and all must get the same token, which is returned.
 */
export async function parallelGets(
  helper: string,
  server: string,
  env: Record<string, string>,
  count = 20,
): Promise<{ username: string; secret: string }> {
  const results = await Promise.all(
    Array.from({ length: count }, () => run(`docker-credential-${helper}`, ['get'], { env, stdin: server })),
  );
  for (const result of results) {
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toBe('');
  }
  const answers = results.map((result) => JSON.parse(result.stdout) as { Username: string; Secret: string });
  expect(new Set(answers.map((answer) => answer.Secret)).size).toBe(1);
  return { username: answers[0]?.Username ?? '', secret: answers[0]?.Secret ?? '' };
}

/** A PATH of `dirs` plus one folder holding only `tools` (so docker cannot pick up `pass` as its store). */
export async function pathWith(dirs: readonly string[], tools: readonly string[]): Promise<string> {
  return [...dirs, await toolsOnlyFolder(tools)].join(delimiter);
}

/**
 * `<tool> pull` as root with its own throw-away storage (vfs works in any container). The storage lives
 * under the system temp dir because podman refuses a runroot path longer than 50 characters.
 */
async function pull(
  tool: 'podman' | 'buildah',
  image: string,
  env: Record<string, string>,
): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), `${tool}-`));
  try {
    const storage = ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs'];
    return await run(tool, [...storage, 'pull', '--quiet', image], { env });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const podmanPull = (image: string, env: Record<string, string>) => pull('podman', image, env);
export const buildahPull = (image: string, env: Record<string, string>) => pull('buildah', image, env);

/**
 * Bundles core's helper entry (test/support/renew-helper-entry.ts) the way the adapters' bundles carry it:
 * a small entry file whose renewal code sits in chunks loaded only when a token is due. esbuild (which tsx
 * brings) takes a second; ncc, which builds the adapters, takes a minute. Returns the entry file.
 */
export async function bundleHelper(outDir: string): Promise<string> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(import.meta.dirname, 'renew-helper-entry.ts')],
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
    // CommonJS dependencies call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return join(outDir, 'renew-helper-entry.mjs');
}

/** The lines of a PEM's private key body: any of them in a file means the key was written there. */
export function privateKeyLines(pem: string): string[] {
  const match = /-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END/.exec(pem);
  return (match?.[1] ?? '').split(/\r?\n/).filter((line) => line.length >= 32);
}
