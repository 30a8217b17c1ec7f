export interface Outcome {
  /** null when the program was killed after the timeout. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `text` with every occurrence of `secret` replaced by `***`: what a program printed about the secret we
 * sent it is quoted only without it. Any length counts: a secret is never printed, even a short one.
 */
export function withoutSecret(text: string, secret: string | undefined): string {
  return secret === undefined || secret === '' ? text : text.split(secret).join('***');
}

/** Why a program failed: the last line it printed, on stdout or stderr (helpers use either), trimmed. */
export function lastLine(outcome: Pick<Outcome, 'stdout' | 'stderr'>): string {
  const lines = `${outcome.stdout}\n${outcome.stderr}`.split('\n').filter((line) => line.trim() !== '');
  return lines.at(-1)?.trim() ?? 'no output';
}

/**
 * Runs a program without a shell, writes `stdin` and collects its output. Secrets only ever travel on
 * stdin. Rejects only when the program cannot be started (ENOENT: not installed or not on PATH).
 */
export async function runWithStdin(
  program: string,
  args: readonly string[],
  stdin: string,
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
  /** Windows: pass `args` to the program as they are (a command line for cmd.exe), not quoted one by one. */
  windowsVerbatimArguments = false,
): Promise<Outcome> {
  // Loaded on first use: a login that runs no program (the Docker config written directly) skips it.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      env: { ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      windowsVerbatimArguments,
    });
    // Our own timer rather than spawn's `timeout`, which stays armed when the program is missing and
    // keeps the step alive until it fires.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: timedOut ? null : code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    // The program may exit before reading stdin (a bad flag): its exit code tells what happened.
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
  });
}
