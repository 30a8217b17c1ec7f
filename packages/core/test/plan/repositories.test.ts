import { describe, expect, test } from 'vitest';
import { parseRepositories, type RepositoryRequest } from '../../src/plan/repositories.ts';
import { catchError } from '../support.ts';

const contoso = 'contoso.azurecr.io';
const fabrikam = 'fabrikam.azurecr.io';
const one = [contoso];
const two = [contoso, fabrikam];

const pull = ['pull'];
const push = ['pull', 'push'];
const want = (loginServer: string, repository: string, actions: readonly string[]): RepositoryRequest =>
  ({ loginServer, repository, actions }) as RepositoryRequest;

describe('parseRepositories: accepted', () => {
  test.each<[string, string, readonly string[], RepositoryRequest[]]>([
    ['empty input checks nothing', '', one, []],
    ['blank lines only', '\n  \n', one, []],
    ['a bare name means pull', 'app', one, [want(contoso, 'app', pull)]],
    ['":pull"', 'app:pull', one, [want(contoso, 'app', pull)]],
    ['":push" means pull and push', 'app:push', one, [want(contoso, 'app', push)]],
    ['the access is case-insensitive', 'app:PUSH', one, [want(contoso, 'app', push)]],
    ['nested names', 'team/api/v2:push', one, [want(contoso, 'team/api/v2', push)]],
    ['separators inside a component', 'a.b_c__d-e--f', one, [want(contoso, 'a.b_c__d-e--f', pull)]],
    [
      'commas and new lines, with spaces',
      ' app:push ,\n  web\r\n tools:pull,',
      one,
      [want(contoso, 'app', push), want(contoso, 'web', pull), want(contoso, 'tools', pull)],
    ],
    ['a prefix naming the only registry', `${contoso}/app:push`, one, [want(contoso, 'app', push)]],
    ['the prefix is case-insensitive', 'Contoso.AzureCR.io/app', one, [want(contoso, 'app', pull)]],
    ['":443" is the https default', `${contoso}:443/app`, one, [want(contoso, 'app', pull)]],
    [
      'two registries, each entry prefixed',
      `${contoso}/app:push\n${fabrikam}/app`,
      two,
      [want(contoso, 'app', push), want(fabrikam, 'app', pull)],
    ],
    [
      'a custom-cloud login server with a port',
      'registry.contoso.test:5000/app:push',
      ['registry.contoso.test:5000'],
      [want('registry.contoso.test:5000', 'app', push)],
    ],
    [
      'a repeated repository keeps the widest access, first position',
      'app, web, app:push, web:pull',
      one,
      [want(contoso, 'app', push), want(contoso, 'web', pull)],
    ],
    [
      'the same repository with and without the prefix is one entry',
      `app:push, ${contoso}/app`,
      one,
      [want(contoso, 'app', push)],
    ],
    [
      'a first component without a dot is part of the name',
      'contoso/app',
      one,
      [want(contoso, 'contoso/app', pull)],
    ],
  ])('%s', (_, text, servers, expected) => {
    expect(parseRepositories(text, servers)).toEqual(expected);
  });
});

describe('parseRepositories: refused, naming the entry and the fix', () => {
  test.each<[string, string, readonly string[], string]>([
    ['a tag', 'app:latest', one, '":latest" is not an access'],
    ['a tag, with the fix', `${contoso}/app:v1`, one, `"${contoso}/app:push"`],
    ['a digest', 'app@sha256:0123', one, 'a digest does not belong here'],
    ['upper case, with the lower-case fix', 'Team/App:push', one, 'Use "team/app"'],
    ['a leading separator', '-app', one, 'is not a repository name'],
    ['a trailing slash', 'app/', one, 'is not a repository name'],
    ['an empty component', 'team//app', one, 'is not a repository name'],
    ['a space inside', 'my app', one, 'is not a repository name'],
    ['a wildcard', '*:push', one, 'is not a repository name'],
    ['no name before the access', ':push', one, 'the repository name is missing'],
    ['a URL', `https://${contoso}/app`, one, `"${contoso}/app" (no scheme)`],
    ['"app:pull,push" cut at the comma', 'team/app:pull,push', one, 'write "team/app:push" (push means pull'],
    ['the registry alone', contoso, one, `"${contoso}/app:push"`],
    ['no prefix with two registries', 'app:push', two, `for example "${contoso}/app"`],
    [
      'a registry name instead of its login server, with two registries',
      'fabrikam/app',
      two,
      `starts with its registry's login server, for example "${fabrikam}/app"`,
    ],
    [
      'a registry this step does not log in to',
      'other.azurecr.io/app',
      two,
      '"other.azurecr.io" is not a registry this step logs in to (contoso.azurecr.io, fabrikam.azurecr.io). Add it to "registry"',
    ],
    ['no registry at all', 'app', [], 'give "registry" as well'],
    ['longer than 255 characters with the registry', `${'a'.repeat(240)}`, one, 'longer than 255'],
  ])('%s: %s', (_, text, servers, message) => {
    const error = catchError(() => parseRepositories(text, servers));
    expect(error).toMatchObject({ code: 'INPUT_INVALID', input: 'repositories' });
    expect(error.message).toContain(message);
    expect(error.message).toMatch(/^"repositories" entry "/);
  });

  test('the first bad entry is named, not a later good one', () => {
    const error = catchError(() => parseRepositories('app:push, web:tag, api', one));
    expect(error.message).toMatch(/^"repositories" entry "web:tag": /);
  });
});
