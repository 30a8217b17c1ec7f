import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { expect } from 'vitest';
import { tempDir } from './temp-dirs.ts';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** The whole environment of the child, added to a minimal base (PATH and a fresh HOME). */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to stdin: how passwords reach a client, never argv. */
  readonly stdin?: string;
  readonly cwd?: string;
}

/**
 * Run a program; resolves with its exit code and output, never rejects on a non-zero exit. Without a HOME in
 * `options.env` it gets a fresh one of its own, removed once it has exited.
 */
export async function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const home = options.env?.HOME ?? (await mkdtemp(join(tmpdir(), 'acr-login-home-')));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...options.env };
  const exited = new Promise<RunResult>((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    // A program that reads no stdin may exit before the write lands.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
  if (options.env?.HOME !== undefined) return exited;
  return exited.finally(() => rm(home, { recursive: true, force: true, maxRetries: 3 }));
}

export interface ClientOptions {
  /** Usually `emulator.env()`. */
  readonly env: Readonly<Record<string, string>>;
  /** containers-auth.json file, passed as REGISTRY_AUTH_FILE (what podman and skopeo read). */
  readonly authFile?: string;
}

function clientEnv(options: ClientOptions): Record<string, string> {
  return {
    ...options.env,
    ...(options.authFile === undefined ? {} : { REGISTRY_AUTH_FILE: options.authFile }),
  };
}

export function skopeo(args: readonly string[], options: ClientOptions): Promise<RunResult> {
  return run('skopeo', args, { env: clientEnv(options) });
}

/** Pull: `skopeo inspect docker://<image>` (manifest and config through the token flow). */
export function skopeoInspect(image: string, options: ClientOptions): Promise<RunResult> {
  return skopeo(['inspect', `docker://${image}`], options);
}

/** Pull every blob: `skopeo copy docker://<image> oci:<dir>:<tag>`. */
export function skopeoPull(image: string, ociDir: string, options: ClientOptions): Promise<RunResult> {
  return skopeo(['--insecure-policy', 'copy', `docker://${image}`, `oci:${ociDir}:pulled`], options);
}

/** Push: copy an image to another reference (e.g. a new tag), both on registries. */
export function skopeoPush(source: string, target: string, options: ClientOptions): Promise<RunResult> {
  return skopeo(['--insecure-policy', 'copy', `docker://${source}`, `docker://${target}`], options);
}

/**
 * `docker login <server> -u <username> --password-stdin` with `DOCKER_CONFIG=<configDir>`, writing the
 * credential into the config file. With `pass` and `docker-credential-pass` on PATH, docker would pick
 * the pass store for a config without credentials (and fail on an uninitialised one), so docker runs
 * with a PATH that holds only itself.
 */
export async function dockerLogin(
  server: string,
  username: string,
  password: string,
  options: ClientOptions & { readonly configDir: string },
): Promise<RunResult> {
  return run('docker', ['login', server, '--username', username, '--password-stdin'], {
    env: { ...options.env, DOCKER_CONFIG: options.configDir, PATH: await dockerOnlyPath() },
    stdin: password,
  });
}

const toolFolders = new Map<string, Promise<string>>();
/**
 * A folder holding links to `tools` only, one per set of tools for the test file, which removes it: a PATH
 * of it keeps other programs out (docker must not pick up `pass` as its credential store).
 */
export function toolsOnlyFolder(tools: readonly string[]): Promise<string> {
  const key = tools.join(' ');
  let folder = toolFolders.get(key);
  if (folder === undefined) {
    folder = (async () => {
      const dir = tempDir('acr-login-tools-');
      for (const tool of tools) {
        const found = (process.env.PATH ?? '')
          .split(delimiter)
          .map((candidate) => join(candidate, tool))
          .find((candidate) => existsSync(candidate));
        if (found === undefined) throw new Error(`${tool} is not on PATH`);
        await symlink(found, join(dir, tool));
      }
      return dir;
    })();
    toolFolders.set(key, folder);
  }
  return folder;
}

const dockerOnlyPath = () => toolsOnlyFolder(['docker']);

/** Write a containers-auth.json / Docker config.json `auths` file for the given credentials. */
export async function writeAuthFile(
  file: string,
  credentials: Readonly<Record<string, { readonly username: string; readonly password: string }>>,
): Promise<string> {
  const auths: Record<string, { auth: string }> = {};
  for (const [server, { username, password }] of Object.entries(credentials)) {
    auths[server] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
  }
  await writeFile(file, JSON.stringify({ auths }, null, 2), { mode: 0o600 });
  return file;
}

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** In CI every program a file's tests use must be installed (.ci/run installs them); elsewhere tests skip. */
export function expectToolsInCi(names: readonly string[]): void {
  if (!process.env.CI) return;
  for (const name of names) expect(hasTool(name), `${name} is installed`).toBe(true);
}

/**
 * A test that needs a program: fails in CI when it is missing (CI must have it), else skips with a
 * visible reason. Pass the vitest test context.
 */
export function requireTool(name: string, context: { skip(note?: string): void }): void {
  if (hasTool(name)) return;
  const packageName = ({ docker: 'docker.io', az: 'azure-cli' } as Record<string, string>)[name] ?? name;
  const reason = `${name} is not installed (apt-get install -y ${packageName})`;
  if (process.env.CI) throw new Error(`${reason}: CI must provide it`);
  context.skip(reason);
}
