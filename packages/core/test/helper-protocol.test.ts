import { describe, expect, test } from 'vitest';
import { credentialsJson, normaliseServer, parseCommand } from '../src/helper-protocol.ts';

describe('normaliseServer: what clients send on stdin -> the login server', () => {
  test.each([
    ['contoso.azurecr.io', 'contoso.azurecr.io'],
    ['contoso.azurecr.io\n', 'contoso.azurecr.io'],
    ['  Contoso.AzureCR.io ', 'contoso.azurecr.io'],
    ['https://contoso.azurecr.io', 'contoso.azurecr.io'],
    ['https://contoso.azurecr.io/', 'contoso.azurecr.io'],
    ['https://contoso.azurecr.io/v2/', 'contoso.azurecr.io'],
    ['contoso.azurecr.io/team/app', 'contoso.azurecr.io'],
    ['contoso.azurecr.io:443', 'contoso.azurecr.io'],
    ['registry.local:5000', 'registry.local:5000'],
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['', ''],
  ])('%j -> %j', (input, server) => {
    expect(normaliseServer(input)).toBe(server);
  });
});

describe('parseCommand', () => {
  test.each([
    ['get', 'get'],
    ['store', 'store'],
    ['erase', 'erase'],
    ['list', 'list'],
    ['version', undefined],
    ['GET', undefined],
    [undefined, undefined],
  ])('%j -> %j', (input, command) => {
    expect(parseCommand(input)).toBe(command);
  });
});

test('the get answer has the field names docker decodes', () => {
  expect(JSON.parse(credentialsJson('contoso.azurecr.io', 'user', 'secret'))).toEqual({
    ServerURL: 'contoso.azurecr.io',
    Username: 'user',
    Secret: 'secret',
  });
});
