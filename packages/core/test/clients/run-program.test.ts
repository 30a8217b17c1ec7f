import { describe, expect, test } from 'vitest';
import { refusal } from '../../src/clients/credential-store-failure.ts';
import { lastLine, withoutSecret } from '../../src/clients/run-program.ts';

describe('lastLine: why a program failed', () => {
  test.each([
    ['the last line of stderr', { stdout: 'Retrying\n', stderr: 'first\nError: denied\n' }, 'Error: denied'],
    [
      'stdout when stderr is empty',
      { stdout: 'credentials not found\n', stderr: '' },
      'credentials not found',
    ],
    ['blank lines skipped, the line trimmed', { stdout: '', stderr: '  refused  \n\n \n' }, 'refused'],
    ['nothing printed', { stdout: '', stderr: '\n' }, 'no output'],
  ])('%s', (_name, outcome, expected) => {
    expect(lastLine(outcome)).toBe(expected);
  });
});

describe('withoutSecret: what a program printed, never the secret we sent it', () => {
  test.each([
    ['every occurrence', 'bad token s3cr3t-value (s3cr3t-value)', 's3cr3t-value', 'bad token *** (***)'],
    ['a short secret too', 'denied for ab: ab', 'ab', 'denied for ***: ***'],
    ['one character', 'x=1', 'x', '***=1'],
    ['an empty secret changes nothing', 'denied', '', 'denied'],
    ['no secret changes nothing', 'denied', undefined, 'denied'],
    ['a secret with regular-expression characters', 'got a.b*c+', 'a.b*c+', 'got ***'],
  ])('%s', (_name, text, secret, expected) => {
    expect(withoutSecret(text, secret)).toBe(expected);
  });

  test("a credential helper's refusal quotes its last line without the secret, whatever its length", () => {
    const failure = refusal(
      'docker-credential-pass',
      'store',
      { code: 1, stdout: '', stderr: 'cannot store "pw"\n' },
      'pw',
      {},
    );
    expect(failure.message).toContain('cannot store "***"');
    expect(failure.message).not.toContain('pw');
  });
});
