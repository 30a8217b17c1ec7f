import { INPUT_NAMES, type InputKey, type LoginInputs } from '@acr-login/core';

/** The action's inputs, read once. Values are raw strings: core's `planLogin` validates them. */
export interface ActionInputs {
  readonly login: LoginInputs;
  readonly logout: boolean;
  readonly maskPassword: boolean;
}

export type InputReader = (name: string) => string;

// Azure Pipelines' own inputs have no place in a workflow.
const ACTION_ONLY = new Set<InputKey>(['serviceConnectionId', 'systemAccessToken']);
const LOGIN_INPUTS = Object.entries(INPUT_NAMES).filter(([key]) => !ACTION_ONLY.has(key as InputKey));

/** The input names that carry secrets: masked before anything else happens. */
export const SECRET_INPUTS = [
  'client-secret',
  'client-certificate',
  'client-certificate-password',
  'creds',
  'password',
];

export function parseBoolean(name: string, value: string, fallback: boolean): boolean {
  const normalised = value.trim().toLowerCase();
  if (normalised === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(normalised)) return true;
  if (['false', 'no', '0', 'off'].includes(normalised)) return false;
  throw new TypeError(`Input "${name}" must be "true" or "false", not "${value.trim()}".`);
}

export function readInputs(read: InputReader): ActionInputs {
  const login: Record<string, string> = {};
  for (const [key, name] of LOGIN_INPUTS) {
    const value = read(name);
    if (value.trim() !== '') login[key] = value;
  }
  return {
    login: { registry: read('registry'), ...login },
    logout: parseBoolean('logout', read('logout'), true),
    maskPassword: parseBoolean('mask-password', read('mask-password'), true),
  };
}
