import { logSafe } from '../log-text.ts';
import { runCredentialHelper } from './helper-command.ts';
import { AGENT_ARGUMENT, HELPER_ARGUMENT } from './shim.ts';

/**
 * The bundle's other two lives: the credential helper (`<node> <bundle> credential-helper <folder> <command>`,
 * started by clients through the shim) and the renewal agent (`<node> <bundle> renewal-agent`, started by the
 * login step). Adapters dispatch here before loading anything else, so a `get` served from the cache loads
 * only this folder's small modules; the identity and HTTP code load only in the agent, when a token is due.
 */

/** The step's bundle was started as the helper or the agent, not by the runner. */
export function isCredentialHelperCall(argv: readonly string[]): boolean {
  return argv[2] === HELPER_ARGUMENT || argv[2] === AGENT_ARGUMENT;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `args`: argv from the helper or agent argument on. */
export async function credentialHelperMain(args: readonly string[]): Promise<never> {
  const [role, dir = '', command] = args;
  if (role === AGENT_ARGUMENT) return (await import('./agent.ts')).renewalAgentMain();
  // `list` sends "unused"; a person trying `list` by hand should not have to press Ctrl-D.
  const input = command === 'list' ? '' : await readStdin();
  const result = await runCredentialHelper({ dir, command, input, clock: { now: () => Date.now() } });
  // Clients copy stderr, and the error on stdout, into the job's log: a registry's text must not become a command.
  process.stderr.write(result.stderr === '' ? '' : `${logSafe(result.stderr.trimEnd())}\n`);
  const stdout = result.code === 0 ? result.stdout : `${logSafe(result.stdout.trimEnd())}\n`;
  // Exit as soon as stdout is flushed.
  process.stdout.write(stdout, () => process.exit(result.code));
  return new Promise<never>(() => {});
}
