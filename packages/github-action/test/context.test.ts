import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseBoolean, readInputs } from '../src/context.ts';
import { forkOrDependabot, oidcUnavailableHint } from '../src/hints.ts';

describe('readInputs', () => {
  test('maps kebab-case inputs and drops empty ones', () => {
    const given: Record<string, string> = {
      registry: 'contoso',
      'client-id': ' 11111111-1111-1111-1111-111111111111 ',
      'client-secret': '',
      'token-audience': 'arm',
    };
    const inputs = readInputs((name) => given[name] ?? '');
    expect(inputs.login).toEqual({
      registry: 'contoso',
      clientId: ' 11111111-1111-1111-1111-111111111111 ',
      tokenAudience: 'arm',
    });
    expect(inputs).toMatchObject({ logout: true, maskPassword: true });
  });
});

describe('parseBoolean', () => {
  test.each([
    ['', true, true],
    ['', false, false],
    ['TRUE', false, true],
    ['false', true, false],
    [' no ', true, false],
  ])('%j (default %s) -> %s', (value, fallback, expected) => {
    expect(parseBoolean('logout', value, fallback)).toBe(expected);
  });

  test('names the input and the allowed values', () => {
    expect(() => parseBoolean('logout', 'maybe', true)).toThrow(
      'Input "logout" must be "true" or "false", not "maybe".',
    );
  });
});

describe('hints', () => {
  test('missing id-token permission shows the YAML that fixes it', () => {
    expect(oidcUnavailableHint({})).toContain('permissions:\n    id-token: write');
  });

  test.each([
    [{ GITHUB_ACTOR: 'dependabot[bot]' }, 'Dependabot'],
    [{ GITHUB_EVENT_NAME: 'push' }, undefined],
  ])('%j -> %s', (env, expected) => {
    const hint = forkOrDependabot(env);
    if (expected === undefined) expect(hint).toBeUndefined();
    else expect(hint).toContain(expected);
  });

  test('a pull request from a fork is recognised from the event file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-'));
    const path = join(dir, 'event.json');
    writeFileSync(path, JSON.stringify({ pull_request: { head: { repo: { fork: true } } } }));
    expect(forkOrDependabot({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path })).toContain(
      'from a fork',
    );
    writeFileSync(path, JSON.stringify({ pull_request: { head: { repo: { fork: false } } } }));
    expect(forkOrDependabot({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path })).toBeUndefined();
  });
});

describe('formatFailure', () => {
  test('shows the message, the facts and the error code, in that order', async () => {
    const { AcrLoginError } = await import('@acr-login/core');
    const { formatFailure } = await import('../src/run.ts');
    const error = new AcrLoginError('ENTRA_AUTH_FAILED', 'Entra said no.', {
      details: { sub: 'repo:o/r:ref:refs/heads/x' },
    });
    expect(formatFailure(error)).toBe(
      'Entra said no.\n  sub: repo:o/r:ref:refs/heads/x\n  error code: ENTRA_AUTH_FAILED',
    );
    expect(formatFailure(new Error('plain'))).toBe('plain');
  });
});
