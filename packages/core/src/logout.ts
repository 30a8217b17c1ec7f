import { removeClientLogins } from './clients/remove-client-logins.ts';
import { AcrLoginError } from './errors.ts';
import type { LoginState } from './login-result.ts';
import type { Environment } from './types.ts';

// A logout apart from the login: the post step loads this, not the login's requests and writes.

export function parseState(text: string): LoginState {
  try {
    const state = JSON.parse(text) as LoginState;
    if (state.version === 1 && Array.isArray(state.entries)) return state;
  } catch {
    // fall through
  }
  throw new AcrLoginError(
    'STATE_INVALID',
    'The state saved by the login step is unreadable, so logout cannot tell which entries it wrote; nothing was removed.',
  );
}

/** Removes exactly what `login` wrote, restoring what each entry held before. */
export async function logout(state: LoginState, environment: Environment) {
  return removeClientLogins(state.entries, {
    env: environment.env ?? process.env,
    logger: environment.logger,
  });
}
