import { AcrLoginError } from '../src/errors.ts';

/** Runs `fn` and returns the AcrLoginError it throws; fails the test when it throws nothing or something else. */
export function catchError(fn: () => unknown): AcrLoginError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AcrLoginError) return error;
    throw error;
  }
  throw new Error('expected an AcrLoginError');
}
