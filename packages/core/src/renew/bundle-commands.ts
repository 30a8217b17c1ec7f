/**
 * The bundle's other two lives: the credential helper (`<node> <bundle> credential-helper <folder> <command>`,
 * started by clients through the shim) and the renewal agent (`<node> <bundle> renewal-agent`, started by the
 * login step). Adapters dispatch here before loading anything else. This file imports nothing up front: the
 * step's own start compiles none of the helper's code, and the helper none of the step's; the identity and
 * HTTP code load only in the agent, when a token is due.
 */

/** The argument that makes a step's bundle act as the credential helper instead of running the step. */
export const HELPER_ARGUMENT = 'credential-helper';
/** The argument that makes a step's bundle run as the renewal agent. */
export const AGENT_ARGUMENT = 'renewal-agent';

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
  const [{ runCredentialHelper }, { logSafe }] = await Promise.all([
    import('./helper-command.ts'),
    import('../log-text.ts'),
  ]);
  const result = await runCredentialHelper({ dir, command, input, clock: { now: () => Date.now() } });
  // Clients copy stderr, and the error on stdout, into the job's log: a registry's text must not become a command.
  process.stderr.write(result.stderr === '' ? '' : `${logSafe(result.stderr.trimEnd())}\n`);
  const stdout = result.code === 0 ? result.stdout : `${logSafe(result.stdout.trimEnd())}\n`;
  // Exit as soon as stdout is flushed.
  process.stdout.write(stdout, () => process.exit(result.code));
  return new Promise<never>(() => {});
}
