import { logSafe } from '../log-text.ts';
import { runCredentialHelper } from './helper.ts';
import type { RenewalPlan } from './renewer.ts';
import { HELPER_ARGUMENT } from './shim.ts';

/**
 * The credential helper process: `<node> <bundle> credential-helper <state file> <command>`. Adapters
 * dispatch here before loading anything else, so a `get` served from the cache loads only this folder's
 * small modules; the identity and HTTP code load only when a token is due.
 */

/** The step's bundle was started by a client through the shim, not by the runner. */
export function isCredentialHelperCall(argv: readonly string[]): boolean {
  return argv[2] === HELPER_ARGUMENT;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function credentialHelperMain(args: readonly string[]): Promise<never> {
  const [stateFile = '', command] = args;
  // `list` sends "unused"; a person trying `list` by hand should not have to press Ctrl-D.
  const input = command === 'list' ? '' : await readStdin();
  const result = await runCredentialHelper<RenewalPlan>({
    stateFile,
    command,
    input,
    clock: { now: () => Date.now() },
    renewer: async (plan) => (await import('./renewer.ts')).createRenew(plan, { env: process.env }),
  });
  // Clients copy stderr, and the error on stdout, into the job's log: a registry's text must not become a command.
  process.stderr.write(result.stderr === '' ? '' : `${logSafe(result.stderr.trimEnd())}\n`);
  const stdout = result.code === 0 ? result.stdout : `${logSafe(result.stdout.trimEnd())}\n`;
  // Exit as soon as stdout is flushed: idle keep-alive sockets of a renewal must not keep the client waiting.
  process.stdout.write(stdout, () => process.exit(result.code));
  return new Promise<never>(() => {});
}
