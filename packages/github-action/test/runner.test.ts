import { readFileSync, writeFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseCommandFile } from '../../../test/support/actions-runner.ts';
import { commandLines } from '../../../test/support/log-commands.ts';
import { tempDir } from '../../../test/support/temp-dirs.ts';
import {
  command,
  exportVariable,
  getInput,
  keyValueEntry,
  plainText,
  summaryHeading,
  summaryTable,
} from '../src/runner.ts';

describe('workflow commands, as @actions/core writes them', () => {
  test.each([
    ['add-mask', 'plain', '::add-mask::plain'],
    ['add-mask', 'two\nlines', '::add-mask::two%0Alines'],
    ['error', '100% sure\r\n', '::error::100%25 sure%0D%0A'],
    ['debug', '::not-a-command::', '::debug::::not-a-command::'],
  ])('%s with %j', (name, message, line) => {
    expect(command(name, message)).toBe(line);
  });
});

describe('plain log text, which the runner shows and never acts on', () => {
  test.each([
    ['Logged in to contoso.azurecr.io', 'Logged in to contoso.azurecr.io'],
    ['::warning::injected', ':_:warning::injected'],
    ['text\n  ::error::injected', 'text\n  :_:error::injected'],
    ['text\r::add-mask::x', 'text\n:_:add-mask::x'],
    ['legacy ##[warning]injected', 'legacy ##_[warning]injected'],
    ['IPv6 ::1 in a line, 100% kept', 'IPv6 ::1 in a line, 100% kept'],
  ])('%j', (message, shown) => {
    const text = plainText(message);
    expect(text.split(EOL).join('\n')).toBe(shown);
    expect(commandLines(text, 'github')).toEqual([]);
  });
});

describe('environment files', () => {
  test('an entry reads back as the runner parses it, multi-line values included', () => {
    const entries = [
      keyValueEntry('login-state', '{"a":1}'),
      keyValueEntry('password', 'line one\nline two'),
    ];
    expect(parseCommandFile(`${entries.join('\n')}\n`)).toEqual({
      'login-state': '{"a":1}',
      password: 'line one\nline two',
    });
  });

  test('a value that holds the delimiter is refused', () => {
    expect(() => keyValueEntry('name', 'x EOF y', 'EOF')).toThrow(/delimiter/);
  });
});

describe('exportVariable: GITHUB_ENV for the later steps, process.env for this one', () => {
  test.each([
    ['DOCKER_CONFIG', '/home/runner/work/_temp/acr-login-config/docker'],
    ['REGISTRY_AUTH_FILE', "C:\\a runner's temp\\auth.json"],
    // A value cannot add a second variable: the heredoc delimiter is random, not a newline.
    ['HELM_REGISTRY_CONFIG', '/tmp/x\nPATH=/evil'],
  ])('%s', (name, value) => {
    const file = join(tempDir('acr-login-env-'), 'env');
    writeFileSync(file, 'EARLIER=kept\n');
    const before = process.env[name];
    try {
      exportVariable(name, value, { GITHUB_ENV: file });
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(new RegExp(`^EARLIER=kept\n${name}<<ghadelimiter_[0-9a-f-]{36}\n`));
      expect(parseCommandFile(text)).toEqual({ [name]: value });
      expect(process.env[name]).toBe(value);
    } finally {
      if (before === undefined) delete process.env[name];
      else process.env[name] = before;
    }
  });

  test('a runner without GITHUB_ENV is refused, not written to stdout', () => {
    expect(() => exportVariable('DOCKER_CONFIG', '/x', {})).toThrow(/GITHUB_ENV is not set/);
  });
});

describe('inputs', () => {
  test.each([
    ['client-id', { 'INPUT_CLIENT-ID': ' abc \n' }, 'abc'],
    ['auth type', { INPUT_AUTH_TYPE: 'oidc' }, 'oidc'],
    ['registry', {}, ''],
  ])('%s', (name, env, value) => {
    expect(getInput(name, env)).toBe(value);
  });
});

test('a job summary heading and table, as @actions/core writes them, with HTML in values escaped', () => {
  expect(summaryHeading('Login', 3)).toBe('<h3>Login</h3>\n');
  expect(
    summaryTable(
      ['Registry', 'Expires'],
      [
        ['a.azurecr.io', '-'],
        ['<b>', 'x&y'],
      ],
    ),
  ).toBe(
    '<table><tr><th>Registry</th><th>Expires</th></tr><tr><td>a.azurecr.io</td><td>-</td></tr>' +
      '<tr><td>&lt;b&gt;</td><td>x&amp;y</td></tr></table>\n',
  );
});
