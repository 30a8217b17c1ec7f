import { AcrLoginError, errorMessage } from '../errors.ts';
import { holdNote } from './hold-limit.ts';
import { lastLine, withoutSecret } from './run-program.ts';

/*
 * How a credential store program (`docker-credential-<name>`) fails, in words that name the program, the
 * registry and the fix.
 */

/** The fixes that always apply when a helper owns a registry; the caller puts the most likely one first. */
const ROUTING_FIX =
  'or remove this registry from credHelpers (or remove credsStore) in the Docker config, or set DOCKER_CONFIG ' +
  'to a directory without them';

/** A helper that ran and refused: the caller words the message for what it was doing. */
export class HelperFailure extends AcrLoginError {
  constructor(
    readonly program: string,
    readonly action: string,
    readonly exitCode: number,
    readonly reason: string,
    details: Record<string, string>,
  ) {
    super(
      'DOCKER_LOGIN_FAILED',
      `\`${program} ${action}\` ${exitCode === 0 ? 'failed' : `exited with ${exitCode}`}: ${reason}`,
      { details },
    );
  }
}

/** The program could not be started: not installed or not on PATH (ENOENT), or another reason. */
export function cannotStart(
  program: string,
  action: string,
  server: string,
  details: Record<string, string>,
  error: unknown,
): AcrLoginError {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new AcrLoginError(
      'DOCKER_LOGIN_FAILED',
      `The Docker config routes "${server}" to the credential helper "${program}" (credsStore or ` +
        `credHelpers), but "${program}" is not installed or not on PATH, so docker could neither use nor ` +
        `keep a login for this registry. Install ${program} and put it on the PATH of the runner or agent ` +
        `(a service often has a shorter PATH than a login shell), ${ROUTING_FIX}.`,
      { cause: error, details },
    );
  }
  return new AcrLoginError(
    'DOCKER_LOGIN_FAILED',
    `Running \`${program} ${action}\` for "${server}" failed: ${errorMessage(error)}.`,
    { cause: error, details },
  );
}

/** The program was stopped at its time limit: it was most likely waiting for a prompt. */
export function noAnswer(
  program: string,
  action: string,
  server: string,
  details: Record<string, string>,
  limit: { ms: number; holdLimited: boolean },
): AcrLoginError {
  return new AcrLoginError(
    'DOCKER_LOGIN_FAILED',
    `\`${program} ${action}\` for "${server}" did not finish within ${limit.ms / 1000} s${holdNote(limit)}: the helper is ` +
      'probably waiting for a keychain, GPG or D-Bus prompt, which a CI job cannot answer. Unlock the ' +
      `helper's store for this user, ${ROUTING_FIX}.`,
    { details },
  );
}

/** The program exited non-zero: its reason is the last line it printed, with what we sent it masked. */
export function refusal(
  program: string,
  action: string,
  outcome: { readonly code: number; readonly stdout: string; readonly stderr: string },
  secret: string | undefined,
  details: Record<string, string>,
): HelperFailure {
  // Helpers put the reason on stdout; the last line is the error itself. Never echo what we sent.
  return new HelperFailure(program, action, outcome.code, withoutSecret(lastLine(outcome), secret), details);
}

/**
 * Before logging in over a server a helper owns: a credential we cannot read is one we could not put back,
 * so the login stops here rather than destroy it (and a helper that cannot read usually cannot store).
 */
export function unreadableCredential(server: string, error: unknown): AcrLoginError {
  if (!(error instanceof HelperFailure)) return error as AcrLoginError;
  return new AcrLoginError(
    'DOCKER_LOGIN_FAILED',
    `Before logging in, acr-login could not read the credential "${error.program}" holds for "${server}" ` +
      `(\`${error.program} ${error.action}\` ${error.exitCode === 0 ? 'failed' : `exited with ${error.exitCode}`}: ` +
      `${error.reason}), so it could not restore it after the job; nothing was changed. Make the helper work ` +
      `for this user (try \`echo ${server} | ${error.program} get\`), ${ROUTING_FIX}.`,
    { cause: error, details: error.details },
  );
}
