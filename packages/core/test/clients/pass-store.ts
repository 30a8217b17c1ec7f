import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunResult, run } from '../../../../test/support/clients.ts';

/**
 * Real `pass` stores for `docker-credential-pass`, all inside a test's temp folder: a throwaway GPG home
 * with a passphrase-less key (made once per file: key generation is the slow part), and password stores
 * encrypted to it.
 */
export interface PassStore {
  /** GNUPGHOME and PASSWORD_STORE_DIR: add to the environment of the helper and of docker. */
  readonly env: Record<string, string>;
  /** Runs `docker-credential-<name> <action>` against this store. */
  helper(action: 'get' | 'store' | 'erase' | 'list', stdin: string, name?: string): Promise<HelperRun>;
}

export type HelperRun = RunResult;

/** Runs a program of the store with the shared test runner; secrets go on stdin. */
function exec(program: string, args: readonly string[], env: Record<string, string>, stdin = '') {
  return run(program, args, { env, stdin });
}

async function must(run: Promise<HelperRun>, what: string): Promise<HelperRun> {
  const result = await run;
  if (result.code !== 0) throw new Error(`${what} failed: ${result.stdout}${result.stderr}`);
  return result;
}

/** A throwaway GPG home with one passphrase-less key; stop its agent when done. */
export interface GpgKey {
  readonly home: string;
  readonly fingerprint: string;
  stop(): Promise<void>;
}

export async function createGpgKey(dir: string): Promise<GpgKey> {
  const home = join(dir, 'gnupg');
  await mkdir(home, { mode: 0o700 });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GNUPGHOME: home };
  const user = 'acr-login test <test@example.invalid>';
  await must(
    exec('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', user, 'default', 'default', 'never'], env),
    'gpg --quick-gen-key',
  );
  const keys = await must(exec('gpg', ['--list-keys', '--with-colons'], env), 'gpg --list-keys');
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(keys.stdout)?.[1];
  if (fingerprint === undefined) throw new Error(`no key fingerprint in: ${keys.stdout}`);
  return { home, fingerprint, stop: () => stopAgent(home) };
}

/** A fresh password store in `dir`, encrypted to `key` (one key may serve many stores). */
export async function createPassStore(dir: string, key: GpgKey, home = dir): Promise<PassStore> {
  const env = { GNUPGHOME: key.home, PASSWORD_STORE_DIR: join(dir, 'password-store') };
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env };
  await must(exec('pass', ['init', key.fingerprint], base), 'pass init');
  return {
    env,
    helper: (action, stdin, name = 'pass') => exec(`docker-credential-${name}`, [action], base, stdin),
  };
}

/** gpg starts an agent per GPG home, which outlives the test unless stopped. */
export async function stopAgent(gnupgHome: string): Promise<void> {
  await exec('gpgconf', ['--kill', 'gpg-agent'], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GNUPGHOME: gnupgHome,
  });
}
