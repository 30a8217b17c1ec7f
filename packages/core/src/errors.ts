import type { InputKey } from './types.ts';
import { plainWords, render } from './wording.ts';

/**
 * Every failure a user can meet has a stable `code` (for tests, docs and adapters) and a message that
 * names the input in quotes, states the rule and gives the fix. Lower layers keep the original error as
 * `cause`; higher layers add context with `withContext` instead of building new messages. The list is a
 * value so that tests can hold a row for every code.
 */
export const ERROR_CODES = [
  // input validation
  'INPUT_REQUIRED',
  'INPUT_INVALID',
  'INPUT_CONFLICT',
  'REGISTRY_INVALID',
  'REGISTRY_UNTRUSTED',
  'CLOUD_UNKNOWN',
  'CREDS_INVALID',
  'CERTIFICATE_INVALID',
  'OIDC_UNAVAILABLE',
  'OIDC_FAILED',
  // Entra ID
  'ENTRA_AUTH_FAILED',
  'MANAGED_IDENTITY_UNAVAILABLE',
  'AZURE_CLI_FAILED',
  // registry
  'REGISTRY_UNREACHABLE',
  'REGISTRY_FORBIDDEN',
  'REGISTRY_PROTOCOL',
  'ACR_EXCHANGE_DENIED',
  'ACR_TOKEN_DENIED',
  'ACR_ANONYMOUS_DISABLED',
  'ACR_ACCESS_MISSING',
  'HTTP_FAILED',
  // client configuration files
  'CONFIG_CORRUPT',
  'CONFIG_WRITE_FAILED',
  'CONFIG_LOCK_TIMEOUT',
  'DOCKER_LOGIN_FAILED',
  'STATE_INVALID',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AcrLoginErrorOptions {
  readonly cause?: unknown;
  /** The input the error is about, by core's key; each host names it in its own words. */
  readonly input?: InputKey;
  /** Extra non-secret facts an adapter may show (e.g. OIDC claims, correlation id). */
  readonly details?: Readonly<Record<string, string>>;
}

/**
 * `text` names inputs with the markers of `wording.ts`; `message` renders them in core's plain words,
 * and each host renders `text` in its own with `render(error.text, words)`.
 */
export class AcrLoginError extends Error {
  override readonly name = 'AcrLoginError';
  readonly code: ErrorCode;
  readonly text: string;
  readonly input: InputKey | undefined;
  readonly details: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, text: string, options: AcrLoginErrorOptions = {}) {
    super(render(text, plainWords), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.text = text;
    this.input = options.input;
    this.details = options.details ?? {};
  }
}

export function isAcrLoginError(value: unknown): value is AcrLoginError {
  return value instanceof AcrLoginError;
}

/** The message of anything thrown, without assuming it is an Error. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Prefix the message with context ("registry \"contoso.azurecr.io\": ...") while keeping code, input,
 * details and the original cause. Non-AcrLoginErrors become `fallback` errors.
 */
export function withContext(
  error: unknown,
  context: string,
  fallback: ErrorCode = 'HTTP_FAILED',
): AcrLoginError {
  if (error instanceof AcrLoginError) {
    const wrapped = new AcrLoginError(error.code, `${context}: ${error.text}`, {
      cause: error.cause,
      details: error.details,
      ...(error.input === undefined ? {} : { input: error.input }),
    });
    if (error.stack !== undefined) wrapped.stack = error.stack;
    return wrapped;
  }
  return new AcrLoginError(fallback, `${context}: ${errorMessage(error)}`, { cause: error });
}
