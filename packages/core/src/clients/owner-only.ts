import { userInfo } from 'node:os';
import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError, errorMessage } from '../errors.ts';
import { stripControl } from '../log-text.ts';

/** Runs a program without a shell; resolves with its exit code (null: killed) and output. */
export type CommandRunner = (
  program: string,
  args: readonly string[],
) => Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>;

export interface OwnerOnlyOptions {
  readonly platform?: NodeJS.Platform;
  /** Runs icacls: injected by tests, which cannot run Windows. */
  readonly runCommand?: CommandRunner;
  /** USERNAME, USERDOMAIN and SystemRoot; the process's environment by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** icacls may wait on a slow domain controller to resolve the account, never for long. */
const ICACLS_TIMEOUT_MS = 30_000;

async function defaultRunner(program: string, args: readonly string[]) {
  const { runWithStdin } = await import('./run-program.ts');
  return runWithStdin(program, args, '', process.env, ICACLS_TIMEOUT_MS);
}

/** `DOMAIN\user` when the domain is known: a local account of the same name is then never meant. */
function account(env: Readonly<Record<string, string | undefined>>): string | undefined {
  let user = env.USERNAME?.trim();
  if (user === undefined || user === '') {
    try {
      user = userInfo().username;
    } catch {
      return undefined;
    }
  }
  const domain = env.USERDOMAIN?.trim();
  return domain === undefined || domain === '' ? user : `${domain}\\${user}`;
}

/**
 * Makes a folder (and what is later created in it) or a file readable by the job's user alone. POSIX modes
 * (0700, 0600, given where the step creates them) do that elsewhere; Windows ignores them, and a file there
 * inherits its folder's ACL, which in a runner's temp directory may let other users of the machine read it.
 * So on Windows the inherited entries are removed and the user gets full control, as
 * `icacls <path> /inheritance:r /grant:r "%USERNAME%:(OI)(CI)F"`; if that cannot be done the step fails
 * rather than leave a credential readable by others.
 */
export async function restrictToOwner(
  path: string,
  kind: 'folder' | 'file',
  options: OwnerOnlyOptions = {},
): Promise<void> {
  if ((options.platform ?? process.platform) !== 'win32') return;
  const env = options.env ?? process.env;
  const user = account(env);
  const icacls = `${env.SystemRoot?.trim() || 'C:\\Windows'}\\System32\\icacls.exe`;
  const fail = (what: string, cause?: unknown) =>
    new AcrLoginError(
      'CONFIG_WRITE_FAILED',
      ERROR_TEXTS.CONFIG_WRITE_FAILED.ownerOnlyAcl(path, what, icacls),
      { ...(cause === undefined ? {} : { cause }), details: { path } },
    );
  if (user === undefined) throw fail('USERNAME is not set and the account running the step is unknown');
  const args = [path, '/inheritance:r', '/grant:r', kind === 'folder' ? `${user}:(OI)(CI)F` : `${user}:F`];
  let outcome: Awaited<ReturnType<CommandRunner>>;
  try {
    outcome = await (options.runCommand ?? defaultRunner)(icacls, args);
  } catch (error) {
    throw fail(`${icacls} could not be started (${stripControl(errorMessage(error))})`, error);
  }
  if (outcome.code !== 0) {
    const said = stripControl(`${outcome.stdout} ${outcome.stderr}`).trim().slice(0, 300);
    throw fail(
      `icacls ${outcome.code === null ? 'timed out' : `exited with ${outcome.code}`}${said === '' ? '' : ` (${said})`}`,
    );
  }
}
