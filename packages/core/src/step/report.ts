import { AcrLoginError, errorMessage } from '../errors.ts';
import type { LoginResult } from '../login-result.ts';
import type { RepositoryAction } from '../plan/repositories.ts';
import { actionsText, type RepositoryAccess } from '../registry/access-protocol.ts';
import { plainWords, render, type Vocabulary } from '../wording.ts';

/**
 * What both adapters show and publish, so that a workflow and a pipeline see the same values and the same
 * failure text; each adapter only renames outputs and adds its own hints.
 */

/**
 * The pieces of a secret to register with the CI system. Runners and agents mask line by line (task-lib
 * refuses a value with line breaks), so a multi-line secret such as a PEM key is registered one line at a
 * time. PEM armour lines and very short lines are not secret and would redact unrelated log text.
 */
export function secretPieces(secret: string): string[] {
  if (!/[\r\n]/.test(secret)) return secret.trim() === '' ? [] : [secret];
  const lines = secret
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line.length >= 8 && !line.startsWith('-----'));
  return [...new Set(lines)];
}

/**
 * A host's mask that registers each line of a secret once, however often it is handed the secret: the
 * inputs, the plan and the written login may each hold it. Each adapter wraps its CI's command in one.
 */
export function maskOnce(register: (line: string) => void): (secret: string | undefined) => void {
  const registered = new Set<string>();
  return (secret) => {
    for (const line of secretPieces(secret ?? '')) {
      if (registered.has(line)) continue;
      registered.add(line);
      register(line);
    }
  };
}

export interface LoginOutputs {
  /** The first registry's login server. */
  readonly loginServer: string;
  /** JSON array of every login server. */
  readonly loginServers: string;
  readonly username: string;
  /** The first registry's password (an ACR refresh token for Entra logins): a secret. */
  readonly password: string;
  /** ISO 8601, the earliest expiry; empty when none is known. */
  readonly expiresOn: string;
  readonly dockerConfig: string;
  /** JSON map `{ "<login server>/<repository>": ["pull","push"] }` of what the listed repositories were granted. */
  readonly access: string;
}

export function loginOutputs(result: LoginResult): LoginOutputs {
  const [first] = result.credentials;
  const expiries = result.credentials.flatMap((c) =>
    c.expiresOn === undefined ? [] : [c.expiresOn.getTime()],
  );
  return {
    loginServer: first?.loginServer ?? '',
    loginServers: JSON.stringify(result.credentials.map((c) => c.loginServer)),
    username: first?.username ?? '',
    password: first?.password ?? '',
    expiresOn: expiries.length === 0 ? '' : new Date(Math.min(...expiries)).toISOString(),
    dockerConfig: result.dockerConfig ?? '',
    access: JSON.stringify(accessOutput(result.access)),
  };
}

/**
 * The troubleshooting page of the released major version, so a link in an old job's log still describes
 * the code that job met; test/unit/metadata.test.ts holds it to the package major version.
 */
export const TROUBLESHOOTING_URL = 'https://github.com/acr-login/acr-login/blob/v1/docs/troubleshooting.md';

/** Where a failure is explained: the anchor of its code (the heading `CODE` lower-cased), or the page. */
export function troubleshootingLink(error: unknown): string {
  return error instanceof AcrLoginError
    ? `${TROUBLESHOOTING_URL}#${error.code.toLowerCase()}`
    : TROUBLESHOOTING_URL;
}

/**
 * The whole failure text both hosts show: core's lines, then the lines the caller adds (the plan's note, the
 * host's hints), then the link to the code's troubleshooting entry, always last.
 */
export function failureText(
  error: unknown,
  words: Vocabulary = plainWords,
  extra: readonly string[] = [],
): string {
  return [...failureLines(error, words), ...extra, `Troubleshooting: ${troubleshootingLink(error)}`].join(
    '\n',
  );
}

/**
 * A failure as users see it, in the host's words: the message, its non-secret facts, and the code the
 * troubleshooting page is ordered by.
 */
export function failureLines(error: unknown, words: Vocabulary = plainWords): string[] {
  if (!(error instanceof AcrLoginError)) return [errorMessage(error)];
  const facts = Object.entries({ ...error.details, 'error code': error.code });
  return [render(error.text, words), ...facts.map(([key, value]) => `  ${key}: ${value}`)];
}

/** The `access` output: `{ "<login server>/<repository>": ["pull","push"] }` of what was granted. */
export function accessOutput(results: readonly RepositoryAccess[]): Record<string, RepositoryAction[]> {
  return Object.fromEntries(results.map((r) => [`${r.loginServer}/${r.repository}`, [...r.granted]]));
}

/** The header of the job summary's repository table; `accessRows` fills it. */
export const ACCESS_TABLE_HEADER = ['Registry', 'Repository', 'Asked', 'Granted'] as const;

/** One row per checked repository, in the order of `ACCESS_TABLE_HEADER`. */
export function accessRows(results: readonly RepositoryAccess[]): [string, string, string, string][] {
  return results.map((r) => [r.loginServer, r.repository, actionsText(r.asked), actionsText(r.granted)]);
}

/** The job summary's table: the header row, then one row per repository. */
export function accessTable(results: readonly RepositoryAccess[]): string[][] {
  return [[...ACCESS_TABLE_HEADER], ...accessRows(results)];
}
