import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcrLoginError, failureLines, kebabCase, LOGIN_INPUT_KEYS } from '@acr-login/core';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { forkOrDependabot, oidcUnavailableHint } from '../src/hints.ts';
import { actionWords, failureHints } from '../src/host.ts';

const ACTION = parse(readFileSync(new URL('../../../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, unknown>;
};

describe('inputs', () => {
  test('action.yml names each of core login inputs as its kebab-case, the Azure Pipelines ones aside', () => {
    const expected = LOGIN_INPUT_KEYS.filter(
      (key) => key !== 'serviceConnectionId' && key !== 'systemAccessToken',
    )
      .map(kebabCase)
      .concat(['logout', 'mask-password', 'renew', 'isolate-config', 'pull-secret'])
      .sort();
    expect(Object.keys(ACTION.inputs).sort()).toEqual(expected);
  });

  test('messages name inputs as action.yml does', () => {
    expect(actionWords.input('clientSecret')).toBe('"client-secret"');
    expect(actionWords.authTypeIs('oidc')).toBe('"auth-type" is "oidc"');
    expect(actionWords.authTypeSetting('auto')).toBe('"auth-type: auto"');
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

  test('on a fork pull request the fork explanation leads, with no permission advice that cannot help', () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-'));
    const path = join(dir, 'event.json');
    writeFileSync(path, JSON.stringify({ pull_request: { head: { repo: { fork: true } } } }));
    const hint = oidcUnavailableHint({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path });
    expect(hint).toMatch(/^This run is a pull request from a fork/);
    expect(hint).not.toContain('id-token: write');
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

  test('a missing value on a Dependabot run says why secrets are missing', () => {
    const error = new AcrLoginError('INPUT_REQUIRED', 'needs a secret');
    expect(failureHints(error, { GITHUB_ACTOR: 'dependabot[bot]' })).toEqual([
      expect.stringContaining('Dependabot secret'),
    ]);
    expect(
      failureHints(new AcrLoginError('INPUT_INVALID', 'bad'), { GITHUB_ACTOR: 'dependabot[bot]' }),
    ).toEqual([]);
  });
});

describe('failure text', () => {
  test('shows the message, the facts and the error code, in that order', () => {
    const error = new AcrLoginError('ENTRA_AUTH_FAILED', 'Entra said no.', {
      details: { sub: 'repo:o/r:ref:refs/heads/x' },
    });
    expect(failureLines(error, actionWords).join('\n')).toBe(
      'Entra said no.\n  sub: repo:o/r:ref:refs/heads/x\n  error code: ENTRA_AUTH_FAILED',
    );
    expect(failureLines(new Error('plain'), actionWords)).toEqual(['plain']);
  });
});
