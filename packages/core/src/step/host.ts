import type { ListedProxy, TlsFiles, Transport } from '../transport.ts';
import type { LoginInputKey, StepInputKey } from '../types.ts';
import type { Vocabulary } from '../wording.ts';

/**
 * The port a CI adapter implements. Core runs the step (`runStep`) against it and knows nothing of the
 * CI; the adapter renders core's input keys and messages in its own words and keeps only what is truly
 * its own (the Action's fork and `id-token` hints; the task's service connection and proxy).
 */
export interface Host {
  /** How this CI names core's inputs in messages. */
  readonly words: Vocabulary;
  /** A step message in this CI's words: core's English is `STEP_MESSAGES`, a task may localise it. */
  text(id: StepMessage, ...params: string[]): string;
  /** An input's raw value, '' when unset. May throw an AcrLoginError for what only the host knows. */
  input(key: LoginInputKey | StepInputKey): string;
  /** Redacts a single-line secret from every later log line. */
  mask(secret: string): void;
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  /** A notice the CI shows beside the log, where it has them (`::notice::`); `info` elsewhere. */
  notice?(message: string): void;
  setOutput(name: OutputName, value: string, secret: boolean): void;
  /** State from the main step to the post step. */
  saveState(name: StateName, value: string): void;
  loadState(name: StateName): string;
  /**
   * Why this run must not log in as the machine unasked, in the CI's words: its secrets are withheld, or it
   * runs a fork's code (a fork's pull request, Dependabot). Undefined when nothing says so.
   */
  untrustedRun?(): string | undefined;
  /** The CI's debug logging is on (`RUNNER_DEBUG`, `System.Debug`). */
  debugging?(): boolean;
  /** The process environment: `HOME`, `DOCKER_CONFIG`, `AZURE_*`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The CI's OIDC token service, where core requests the token itself (GitHub Actions). */
  readonly oidc?: OidcPort;
  /** The job's OIDC request details for a renewal, where the CI gives them: core reads no CI variable. */
  renewalOidc?(): RenewalOidc | undefined;
  /**
   * A transport of the host's own (the agent's proxy); core closes it when the login is done. It may come
   * as a promise, so that a host loads its HTTP client only for the step that makes requests.
   */
  dispatcher?(): Transport | undefined | Promise<Transport | undefined>;
  /** Lines to log once the inputs are planned (which service connection). */
  intro?(): readonly string[];
  /** Lines the host adds under a failure: its own explanations. */
  hints?(error: unknown): readonly string[];
  /** The job's temp directory, which the runner empties after the job: RUNNER_TEMP, Agent.TempDirectory. */
  tempDir?(): string | undefined;
  /** Puts a folder on PATH for the later steps of the job: `core.addPath`, `tl.prependPath`. */
  addPath?(dir: string): void;
  /**
   * Sets an environment variable for the later steps of the job, and for this process: the `GITHUB_ENV`
   * file, `task.setvariable`. Without it the step cannot point the job's clients at files of its own.
   */
  exportVariable?(name: string, value: string): void;
  /**
   * The proxy of `dispatcher()` where the environment does not name it, with its credentials and bypass
   * list, for the renewal agent that renews outside the step. The agent gets it in its plan on stdin and
   * keeps it in memory; nothing writes it to disk.
   */
  renewalProxy?(): ListedProxy | undefined;
  /**
   * The TLS files of `dispatcher()` that Node's own settings do not name (the agent's CA and client
   * certificate), for the renewal agent too; a client certificate's passphrase stays in its memory.
   */
  renewalTls?(): TlsFiles | undefined;
  /** A job summary, where the CI has one. */
  summary?(view: SummaryView): Promise<void>;
  /** Fails the step with this message. */
  fail(message: string): void;
}

export interface OidcPort {
  /** The job can get a token now (GitHub: `id-token: write` granted). */
  available(): boolean;
  /** Why not, with the fix, in the CI's words. */
  unavailableHint(): string;
  /** A token for `audience`, asked over the step's transport (its proxy and certificates). */
  token(audience: string, transport: Transport): Promise<string>;
}

/**
 * What a credential helper needs to request OIDC tokens itself later in the job, kept in its 0600 renewal
 * state, for the auth type that uses it: GitHub's request URL and token (`oidc`), Azure Pipelines' request
 * URI (`azure-pipelines`, whose access token comes with the plan). Both are valid for the job.
 */
export type RenewalOidc =
  | { readonly authType: 'oidc'; readonly requestUrl: string; readonly requestToken: string }
  | { readonly authType: 'azure-pipelines'; readonly requestUri: string };

export type OutputName =
  | 'loginServer'
  | 'loginServers'
  | 'username'
  | 'password'
  | 'expiresOn'
  | 'dockerConfig'
  | 'access'
  | 'pullSecretFile'
  | 'renews';

export type StateName = 'isPost' | 'loginState' | 'logout' | 'pullSecretFile' | 'renewal' | 'expiresOn';

/** What a job summary shows: no secrets. */
export interface SummaryView {
  readonly authType: string;
  readonly clients: readonly string[];
  /** Registry, identity, audience, expiry. */
  readonly rows: readonly (readonly [string, string, string, string])[];
  /** Registry, repository, asked, granted: the checked repositories; empty when none were listed. */
  readonly access: readonly (readonly [string, string, string, string])[];
  /** Sentences under the table: when the credentials expire and whether they are renewed. */
  readonly notes: readonly string[];
}

/** Core's English for every line the step logs; `%s` placeholders are filled in order. */
export const STEP_MESSAGES = {
  LoggingIn: 'Logging in to %s (%s: %s)',
  LoggedIn: 'Logged in to %s as %s',
  LoggedInUntil: 'Logged in to %s as %s, valid until %s',
  ClientFile: 'Credentials for %s: %s',
  JobFiles:
    "The job's later steps get these files of its own, so other jobs under this HOME neither see nor undo this login: %s",
  LogoutDisabled: '"logout" is false: leaving the credentials in place.',
  NothingToLogOut: 'Nothing to log out: the login step wrote no credentials.',
  LoggedOut: 'Logged out: %s removed, %s restored.',
  LeftEntry: 'Left %s in %s: %s',
  PasswordUnmasked: 'The registry password is not masked in logs: %s is false.',
  AccessGranted: 'Repository access on %s: %s',
  PullSecretFile: 'Kubernetes pull secret file (%s): %s',
  PullSecretRemoved: 'Removed the pull secret file %s',
  PullSecretSkipped:
    "No Kubernetes pull secret file was written: the runner gives this job no temp directory (RUNNER_TEMP, Agent.TempDirectory), and anywhere else the file would outlive the job. Create the pull secret from the step's username and password outputs instead.",
  ExpiresNoRenew:
    'The credentials expire at %s. A client that pushes or pulls after that gets 401 Unauthorized: set %s to true to keep them valid for a job that runs longer.',
  Renewing:
    'Renewal is on: clients ask the credential helper docker-credential-%s, which renews the credentials before they expire (first at %s).',
  NothingToRenew: 'Nothing to renew although %s is true: %s.',
  RenewalStopped: 'Renewal stopped: %s credential helper entries removed, %s restored, its state deleted.',
  MachineIdentity:
    'Logging in as the managed identity of this machine, because no credential was given (%s is auto). Any job that runs on this machine can use that identity: set %s to make that choice explicit, or give the job a credential of its own.',
  Outlived:
    'This job ran past %s, when the credentials written by this step expired: a client that used them after that got 401 Unauthorized. Set %s to true to keep them valid for the whole job.',
} as const;

export type StepMessage = keyof typeof STEP_MESSAGES;

/** Fills `%s` placeholders in order, as `tl.loc` does. */
export function format(template: string, params: readonly string[]): string {
  let index = 0;
  return template.replace(/%s/g, () => params[index++] ?? '');
}
