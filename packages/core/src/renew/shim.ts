import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type OwnerOnlyOptions, restrictToOwner } from '../clients/owner-only.ts';
import { AcrLoginError } from '../errors.ts';
import { chmod, mkdir, open, rm } from '../fs-async.ts';
import { HELPER_ARGUMENT } from './bundle-commands.ts';
import { CACHE_DIRECTORY, type CachedCredential } from './cache.ts';
import { writeCached } from './cache-writer.ts';

/** `acr-login-<8 hex>`: unique per login step, so two logins in one job keep separate helpers. */
export function newHelperName(): string {
  return `acr-login-${randomBytes(4).toString('hex')}`;
}

export interface ShimTarget {
  /** The Node running the step (`process.execPath`): runners need not have `node` on PATH. */
  readonly node: string;
  /** The step's bundle, which dispatches on `credential-helper` before loading anything else. */
  readonly bundle: string;
  /** The renewal folder: the agent file and the cache. */
  readonly dir: string;
}

/** POSIX sh single quotes: only `'` itself needs care. */
function shQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** cmd.exe: quote, and double `%` so no path is expanded as a variable. Windows paths cannot hold `"`. */
function cmdQuote(value: string): string {
  if (value.includes('"')) throw new Error(`a Windows path cannot contain '"': ${value}`);
  return `"${value.replaceAll('%', '%%')}"`;
}

/** The helper program a client finds on PATH as `docker-credential-<name>` (`.cmd` on Windows). */
export function shimFile(platform: NodeJS.Platform, name: string): string {
  return platform === 'win32' ? `docker-credential-${name}.cmd` : `docker-credential-${name}`;
}

/**
 * The POSIX helper answers a cached `get` itself, starting no Node: for a registry named as the cache names it
 * (lower-case letters, digits, dots, hyphens), whose cache file holds a credential of the expected shape with
 * its `renewAt` still ahead. Everything else (other commands, a due or missing credential, a URL, a port, an
 * unexpected byte) goes to Node, with the server passed on stdin. Values are only ever quoted expansions:
 * no word splitting, globbing or eval of anything a client sent.
 */
const POSIX_FAST_PATH = `# Character sets spelt out: a range such as a-z may follow the locale's collation order.
lower=abcdefghijklmnopqrstuvwxyz
upper=ABCDEFGHIJKLMNOPQRSTUVWXYZ
digits=0123456789
serve_cached() {
  case $server in '' | *[!$lower$digits.-]*) return 1 ;; esac
  file=$dir/cache/$server.json
  [ -r "$file" ] || return 1
  { IFS= read -r cached || [ -n "$cached" ]; } <"$file" || return 1
  # Each field found by its name, not its place; the cache file puts the long password last, since a
  # shortest-prefix match costs the square of how far in its field starts (a few ms, past a 1.4 kB token).
  username=\${cached#*'"username":"'}
  username=\${username%%'"'*}
  password=\${cached#*'"password":"'}
  password=\${password%%'"'*}
  renew_at=\${cached#*'"renewAt":'}
  renew_at=\${renew_at%%[!$digits]*}
  case $username in '' | *[!$lower$upper$digits._-]*) return 1 ;; esac
  case $password in '' | *[!$lower$upper$digits._-]*) return 1 ;; esac
  case $renew_at in '' | *[!$digits]*) return 1 ;; esac
  renew_up=
  case $cached in *'"renewAtUptime":'*)
    renew_up=\${cached#*'"renewAtUptime":'}
    renew_up=\${renew_up%%[!$digits]*}
    [ -n "$renew_up" ] || return 1 ;;
  esac
  # Linux: the uptime, read by a builtin, costs no process; elsewhere, date.
  if [ -n "$renew_up" ] && { IFS=' ' read -r up _ </proc/uptime; } 2>/dev/null; then
    now=\${up%%.*}
    case $now in '' | *[!$digits]*) return 1 ;; esac
    [ "$now" -lt "$renew_up" ] || return 1
  else
    # By absolute path: a client may run its helper with a PATH that has no date; silent when there is none.
    if [ -x /bin/date ]; then clock=/bin/date; else clock=/usr/bin/date; fi
    now=$("$clock" +%s 2>/dev/null) || return 1
    case $now in '' | *[!$digits]*) return 1 ;; esac
    [ "$now" -lt "$((renew_at / 1000))" ] || return 1
  fi
  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$server" "$username" "$password"
}
if [ "$#" -eq 1 ] && [ "$1" = get ]; then
  server=
  IFS= read -r server || :
  serve_cached && exit 0
  printf '%s\\n' "$server" | "$node" "$bundle" ${HELPER_ARGUMENT} "$dir" get
  exit
fi
exec "$node" "$bundle" ${HELPER_ARGUMENT} "$dir" "$@"
`;

export function shimText(platform: NodeJS.Platform, target: ShimTarget): string {
  if (platform === 'win32') {
    const args = [target.node, target.bundle].map(cmdQuote).join(' ');
    return `@echo off\r\n${args} ${HELPER_ARGUMENT} ${cmdQuote(target.dir)} %*\r\n`;
  }
  return (
    `#!/bin/sh\n` +
    `node=${shQuote(target.node)}\nbundle=${shQuote(target.bundle)}\ndir=${shQuote(target.dir)}\n` +
    POSIX_FAST_PATH
  );
}

export interface RenewalFiles {
  readonly helper: string;
  /** `<temp>/<helper>`: everything renewal keeps on disk; the post step removes it. */
  readonly dir: string;
  /** The folder to put on PATH for later steps. */
  readonly binDir: string;
  readonly shim: string;
}

/** Where the files of `helper` live under the job's temp directory. */
export function renewalFiles(tempDir: string, helper: string, platform: NodeJS.Platform): RenewalFiles {
  const dir = join(tempDir, helper);
  const binDir = join(dir, 'bin');
  return {
    helper,
    dir,
    binDir,
    shim: join(binDir, shimFile(platform, helper)),
  };
}

export interface PrepareOptions {
  /** `RUNNER_TEMP` / `Agent.TempDirectory`: the runner empties it after the job. */
  readonly tempDir: string;
  readonly helper: string;
  readonly node: string;
  readonly bundle: string;
  readonly platform: NodeJS.Platform;
  /** The login's registry credentials, by login server: the first cache files. */
  readonly cache: Readonly<Record<string, CachedCredential>>;
  /** How `restrictToOwner` runs icacls on Windows, and as whom; injected by tests. */
  readonly ownerOnly?: Omit<OwnerOnlyOptions, 'platform'>;
}

/**
 * Writes the cache files (0600) and the shim (0700) into a fresh 0700 folder of the job's temp directory, where
 * the agent's socket and agent file go too. No identity secret is ever written here.
 */
export async function writeRenewalFiles(options: PrepareOptions): Promise<RenewalFiles> {
  const files = renewalFiles(options.tempDir, options.helper, options.platform);
  try {
    await mkdir(files.binDir, { recursive: true, mode: 0o700 });
    await mkdir(join(files.dir, CACHE_DIRECTORY), { mode: 0o700 });
    // mkdir's mode is filtered by the umask: make sure the folder holding credentials is ours alone.
    await chmod(files.dir, 0o700);
    await restrictToOwner(files.dir, 'folder', {
      platform: options.platform,
      ...options.ownerOnly,
    });
    for (const [server, credential] of Object.entries(options.cache)) {
      await writeCached(files.dir, server, credential);
    }
    const handle = await open(files.shim, 'wx', 0o700);
    try {
      await handle.writeFile(
        shimText(options.platform, {
          node: options.node,
          bundle: options.bundle,
          dir: files.dir,
        }),
      );
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rm(files.dir, { recursive: true, force: true }).catch(() => {});
    if (error instanceof AcrLoginError) throw error;
    throw new AcrLoginError(
      'CONFIG_WRITE_FAILED',
      `Cannot write the credential helper into "${files.dir}": ${(error as NodeJS.ErrnoException).code ?? String(error)}. ` +
        "`renew: true` keeps its files in the job's temp directory (RUNNER_TEMP, Agent.TempDirectory): make it writable, or set `renew: false`.",
      { cause: error, details: { dir: files.dir } },
    );
  }
  return files;
}

/** Removes the cache, the agent file and the shim. Never throws for a folder that is already gone. */
export async function removeRenewalFiles(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
