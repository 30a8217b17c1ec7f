import { AcrLoginError, errorMessage } from '../errors.ts';
import { holdNote, runLimit } from './hold-limit.ts';
import { lastLine, type Outcome, runWithStdin, withoutSecret } from './run-program.ts';

export interface DockerLoginRequest {
  /** Directory holding config.json, passed as `docker --config`. */
  readonly configDir: string;
  readonly server: string;
  readonly username: string;
  readonly password: string;
  /** The credential helper that owns `server`, for messages. */
  readonly helper: string;
  /** When the caller's hold on the config's lock ends (Date.now() time): docker is stopped by then. */
  readonly deadline?: number;
}

/**
 * `docker login`, for registries whose credentials a credential helper owns: docker checks the credentials
 * with the registry, then hands them to the helper. Logout talks to the helper itself (credential-store-program.ts).
 */
export interface DockerCli {
  login(request: DockerLoginRequest): Promise<void>;
}

export interface DockerCliOptions {
  /** Environment of the child; its PATH locates `docker` and the helper. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default `docker`. */
  readonly command?: string;
  /** Default 60 s. */
  readonly timeoutMs?: number;
}

/** A helper waiting for a keychain or GPG prompt would hang the step while we hold the file's lock. */
const DOCKER_TIMEOUT_MS = 60_000;

/** What a docker run is for: the registry, the helper that owns it, and when the lock's hold ends. */
interface RunFor {
  readonly server: string;
  readonly helper: string;
  readonly deadline?: number;
}

function detailsOf(request: RunFor): Record<string, string> {
  return { server: request.server, helper: request.helper };
}

/** docker could not be started: not installed or not on PATH (ENOENT), or another reason. */
function cannotStart(
  command: string,
  action: string,
  request: RunFor,
  stdin: string,
  error: unknown,
): AcrLoginError {
  const notFound = (error as NodeJS.ErrnoException).code === 'ENOENT';
  return new AcrLoginError(
    'DOCKER_LOGIN_FAILED',
    notFound
      ? `The Docker config routes "${request.server}" to the credential helper "docker-credential-${request.helper}" ` +
          '(credsStore or credHelpers), so docker would ignore credentials written to config.json, and ' +
          `running \`docker ${action}\` to store them through the helper failed: "${command}" is not installed ` +
          'or not on PATH. Install the docker CLI, or remove credsStore/credHelpers for this registry, or set ' +
          'DOCKER_CONFIG to a directory without them.'
      : `Running \`docker ${action} ${request.server}\` failed: ${withoutSecret(errorMessage(error), stdin)}.`,
    { cause: error, details: detailsOf(request) },
  );
}

/** docker was stopped at its time limit: the helper behind it was most likely waiting for a prompt. */
function noAnswer(
  action: string,
  request: RunFor,
  limit: { ms: number; holdLimited: boolean },
): AcrLoginError {
  return new AcrLoginError(
    'DOCKER_LOGIN_FAILED',
    `\`docker ${action} ${request.server}\` did not finish within ${limit.ms / 1000} s${holdNote(limit)}: the credential ` +
      `helper "docker-credential-${request.helper}" is probably waiting for a keychain or GPG prompt, which a CI ` +
      'job cannot answer. Unlock the helper for this user, or remove credsStore/credHelpers for this registry ' +
      'from the Docker config.',
    { details: detailsOf(request) },
  );
}

/** docker exited non-zero: the helper refused to store what docker checked, or the login itself failed. */
function refusal(action: string, request: RunFor, outcome: Outcome, stdin: string): AcrLoginError {
  // docker prints its retries as info lines first; the last line is the error itself.
  const reason = withoutSecret(lastLine(outcome), stdin);
  const output = `${outcome.stdout}\n${outcome.stderr}`;
  // docker checked the credentials, then the helper refused to keep them (ecr-login for any other
  // registry, a store without its key): the registry is fine, the routing is what needs the fix.
  const refused = /error storing credentials - err: (.*?), out: \x60([^\x60]*)\x60/s.exec(output);
  if (refused !== null) {
    const answer = withoutSecret((refused[2] ?? '').trim() || (refused[1] ?? '').trim(), stdin);
    return new AcrLoginError(
      'DOCKER_LOGIN_FAILED',
      `The credential helper "docker-credential-${request.helper}" cannot store credentials for ` +
        `"${request.server}": it answered "${answer}". The Docker config routes this registry to it ` +
        '(credsStore or credHelpers), so docker cannot keep a login there. Remove this registry from ' +
        'credHelpers (or remove credsStore) in the Docker config, or point it at a helper that can store ' +
        "credentials, or set DOCKER_CONFIG to a directory without them; if the helper's store is locked, " +
        'unlock it for this user.',
      { details: detailsOf(request) },
    );
  }
  return new AcrLoginError(
    'DOCKER_LOGIN_FAILED',
    `\`docker ${action} ${request.server}\` (run because the credential helper ` +
      `"docker-credential-${request.helper}" owns this registry) exited with ${outcome.code}: ` +
      `${reason}. Check that the registry accepts the credentials and that the helper works ` +
      `(\`docker-credential-${request.helper} list\`), or remove credsStore/credHelpers for this registry ` +
      'from the Docker config.',
    { details: detailsOf(request) },
  );
}

export function createDockerCli(options: DockerCliOptions): DockerCli {
  const command = options.command ?? 'docker';
  const timeoutMs = options.timeoutMs ?? DOCKER_TIMEOUT_MS;

  async function invoke(
    args: readonly string[],
    stdin: string,
    request: RunFor,
    action: 'login',
  ): Promise<void> {
    let outcome: Outcome;
    const limit = runLimit(timeoutMs, request.deadline);
    try {
      outcome = await runWithStdin(command, args, stdin, options.env, limit.ms);
    } catch (error) {
      throw cannotStart(command, action, request, stdin, error);
    }
    if (outcome.code === null) throw noAnswer(action, request, limit);
    if (outcome.code !== 0) throw refusal(action, request, outcome, stdin);
  }

  return {
    login: (request) =>
      invoke(
        [
          '--config',
          request.configDir,
          'login',
          request.server,
          '--username',
          request.username,
          '--password-stdin',
        ],
        request.password,
        request,
        'login',
      ),
  };
}
