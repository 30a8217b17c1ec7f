import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AcrLoginError, failureLines, kebabCase, LOGIN_INPUT_KEYS } from '@acr-login/core';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { tempDir } from '../../../test/support/temp-dirs.ts';
import { forkOrDependabot, oidcUnavailableHint, untrustedRun } from '../src/hints.ts';
import { actionHost, actionWords, failureHints } from '../src/host.ts';

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
    const dir = tempDir('event-');
    const path = join(dir, 'event.json');
    writeFileSync(path, JSON.stringify({ pull_request: { head: { repo: { fork: true } } } }));
    const hint = oidcUnavailableHint({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path });
    expect(hint).toMatch(/^This run is a pull request from a fork/);
    expect(hint).not.toContain('id-token: write');
  });

  test('a pull request from a fork is recognised from the event file', () => {
    const dir = tempDir('event-');
    const path = join(dir, 'event.json');
    writeFileSync(path, JSON.stringify({ pull_request: { head: { repo: { fork: true } } } }));
    expect(forkOrDependabot({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path })).toContain(
      'from a fork',
    );
    writeFileSync(path, JSON.stringify({ pull_request: { head: { repo: { fork: false } } } }));
    expect(forkOrDependabot({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path })).toBeUndefined();
  });

  describe('runs that must not log in as the machine unasked, from the event GitHub provides', () => {
    const repo = (full_name: string, fork = false) => ({ full_name, fork });
    const pullRequest = (head: unknown, base = repo('contoso/web')) => ({
      pull_request: { head: { repo: head }, base: { repo: base } },
      sender: { login: 'octocat' },
    });
    test.each<[string, string, unknown, Record<string, string>, RegExp | undefined]>([
      [
        'fork pull_request',
        'pull_request',
        pullRequest(repo('mallory/web', true)),
        {},
        /^This run is a pull request from a fork/,
      ],
      [
        'fork whose name differs only in case: the same repository',
        'pull_request',
        pullRequest(repo('Contoso/Web')),
        {},
        undefined,
      ],
      [
        'a branch of a repository that is itself a fork',
        'pull_request',
        pullRequest(repo('contoso/web', true), repo('contoso/web', true)),
        {},
        undefined,
      ],
      ['deleted fork', 'pull_request', pullRequest(null), {}, /from a fork/],
      [
        'fork pull_request_target',
        'pull_request_target',
        pullRequest(repo('mallory/web', true)),
        {},
        /pull_request_target event for a pull request from a fork/,
      ],
      [
        'same-repository pull_request_target',
        'pull_request_target',
        pullRequest(repo('contoso/web')),
        {},
        undefined,
      ],
      ['push', 'push', { sender: { login: 'octocat' } }, {}, undefined],
      [
        'Dependabot by actor',
        'pull_request',
        pullRequest(repo('contoso/web')),
        { GITHUB_ACTOR: 'dependabot[bot]' },
        /Dependabot/,
      ],
      ['Dependabot by the event sender', 'push', { sender: { login: 'dependabot[bot]' } }, {}, /Dependabot/],
    ])('%s', (_name, eventName, payload, extra, expected) => {
      const path = join(tempDir('event-'), 'event.json');
      writeFileSync(path, JSON.stringify(payload));
      const hint = untrustedRun({ GITHUB_EVENT_NAME: eventName, GITHUB_EVENT_PATH: path, ...extra });
      if (expected === undefined) expect(hint).toBeUndefined();
      else expect(hint).toMatch(expected);
    });

    test('the host gives it to core as a fact', () => {
      const path = join(tempDir('event-'), 'event.json');
      writeFileSync(path, JSON.stringify(pullRequest(repo('mallory/web', true))));
      const host = actionHost({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path });
      expect(host.untrustedRun?.()).toMatch(/from a fork/);
      expect(actionHost({}).untrustedRun?.()).toBeUndefined();
    });

    test('a failure whose message already explains the run gets no second copy of it', () => {
      const hint = forkOrDependabot({ GITHUB_ACTOR: 'dependabot[bot]' }) ?? '';
      const error = new AcrLoginError('INPUT_REQUIRED', `refused: ${hint} Give a credential.`);
      expect(failureHints(error, { GITHUB_ACTOR: 'dependabot[bot]' })).toEqual([]);
    });
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

describe("the renewal's OIDC request details, through the host port", () => {
  test("the job's request URL and token, tagged for oidc logins; none without id-token: write", () => {
    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/id',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req',
    };
    expect(actionHost(env).renewalOidc?.()).toEqual({
      authType: 'oidc',
      requestUrl: 'https://token.actions.example/id',
      requestToken: 'req',
    });
    expect(
      actionHost({ ACTIONS_ID_TOKEN_REQUEST_URL: env.ACTIONS_ID_TOKEN_REQUEST_URL }).renewalOidc?.(),
    ).toBeUndefined();
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
