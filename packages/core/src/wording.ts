import type { InputKey } from './types.ts';

/**
 * Core writes its messages in no CI's words. An input is a marker that each host renders in its own
 * vocabulary: the Action says `"client-secret"`, the task says `"tokenAudience"` or "the service
 * connection". So a message is written once and read right on both hosts.
 */

/** The marker for an input's name, e.g. `${input('clientId')} is not a GUID`. */
export function input(key: InputKey): string {
  return `⟦${key}⟧`;
}

/** The marker for the clause "the auth type is <type>", which a task says through its service connection. */
export function authTypeIs(type: string): string {
  return `⟦authType=${type}⟧`;
}

/** The marker for the noun phrase "auth type <type>": `"auth-type: oidc"` needs "client-id". */
export function authTypeSetting(type: string): string {
  return `⟦authType:${type}⟧`;
}

export interface Vocabulary {
  /** How this host names an input, quoted where it quotes names: `"client-secret"`. */
  input(key: InputKey): string;
  /** How this host says which auth type is in use, as a clause: `"auth-type" is "oidc"`. */
  authTypeIs(type: string): string;
  /** The same as a noun phrase: `"auth-type: oidc"`. */
  authTypeSetting(type: string): string;
}

const MARKER = /⟦([A-Za-z_]+)(?:([=:])([^⟧]*))?⟧/g;

export function render(text: string, words: Vocabulary): string {
  return text.replace(MARKER, (_, key: string, form: string | undefined, type: string) => {
    if (form === '=') return words.authTypeIs(type);
    if (form === ':') return words.authTypeSetting(type);
    return words.input(key as InputKey);
  });
}

/** `clientSecret` -> `client-secret`. */
export function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

const isEnvName = (key: string) => /^[A-Z][A-Z_]+$/.test(key);

/**
 * Core's own spelling, used for `Error.message` and by library callers: the kebab-case of each key,
 * environment variables as they are.
 */
export const plainWords: Vocabulary = {
  input: (key) => (isEnvName(key) ? key : `"${kebabCase(key)}"`),
  authTypeIs: (type) => `"auth-type" is "${type}"`,
  authTypeSetting: (type) => `"auth-type: ${type}"`,
};
