import { describe, expect, test } from 'vitest';
import { parseCommandFile } from '../../../test/support/actions-runner.ts';
import { command, getInput, keyValueEntry, summaryHeading, summaryTable } from '../src/runner.ts';

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
