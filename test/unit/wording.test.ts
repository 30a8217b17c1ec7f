import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { TaskInputs } from '../../packages/ado-task/src/context.ts';
import { taskWords } from '../../packages/ado-task/src/words.ts';
import { EXPLAINED_CODES, explainEntraError } from '../../packages/core/src/identity/aadsts.ts';
import { KINDS } from '../../packages/core/src/identity/kinds/index.ts';
import { type AuthType, type InputKey, LOGIN_INPUT_KEYS, render } from '../../packages/core/src/index.ts';
import { parseState } from '../../packages/core/src/logout.ts';
import { chooseAuthType } from '../../packages/core/src/plan/auto.ts';
import { AUTH_TYPES } from '../../packages/core/src/plan/names.ts';
import { planLogin } from '../../packages/core/src/plan/plan.ts';
import { processBasicTokenResponse, processExchangeResponse } from '../../packages/core/src/registry/acr.ts';
import type { Vocabulary } from '../../packages/core/src/wording.ts';
import { catchError } from '../../packages/core/test/support.ts';
import { actionWords } from '../../packages/github-action/src/host.ts';

/**
 * Every message core writes reaches a user through one host's vocabulary. A task run must never name an
 * input only the Action has, and the Action never one only the task has.
 */

const ROOT = new URL('../../', import.meta.url);
const action = parse(readFileSync(new URL('action.yml', ROOT), 'utf8')) as {
  inputs: Record<string, unknown>;
};
const task = JSON.parse(readFileSync(new URL('task.json', ROOT), 'utf8')) as { inputs: { name: string }[] };
const actionNames = Object.keys(action.inputs);
const taskNames = task.inputs.map((input) => input.name);
const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`);
const ACTION_ONLY = quoted(actionNames.filter((name) => !taskNames.includes(name)));
const TASK_ONLY = quoted(taskNames.filter((name) => !actionNames.includes(name)));

const TENANT = '00000000-0000-4000-8000-00000000a11c';
const CLIENT = '00000000-0000-4000-8000-0000000c11e7';
const ALL_KEYS: readonly InputKey[] = [
  ...LOGIN_INPUT_KEYS,
  'logout',
  'maskPassword',
  'renew',
  'isolateConfig',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_CLIENT_ID',
  'AZURE_TENANT_ID',
];

const connection = { id: 'c0ffee00-0000-4000-8000-000000000001', scheme: 'ServicePrincipal' as const };
const TASK_VOCABULARIES: readonly [string, Vocabulary][] = [
  ['task, before its inputs are read', taskWords(undefined)],
  [
    'task with a service connection',
    taskWords({ authType: 'serviceConnection', connection, login: { registry: 'contoso' } } as TaskInputs),
  ],
  [
    'task with a managed identity',
    taskWords({ authType: 'managedIdentity', login: { registry: 'contoso' } } as TaskInputs),
  ],
];

const response = (status: number) => ({ status, headers: {}, body: '{"errors":[{"message":"denied"}]}' });

/** One text per way core can name an input: planning errors, reasons, Entra and registry refusals. */
function corpus(): [string, string][] {
  const texts: [string, string][] = [];
  const planned = (name: string, inputs: Record<string, string>, oidc = false) =>
    texts.push([
      name,
      catchError(() => planLogin({ registry: 'contoso', ...inputs }, { oidcAvailable: oidc, env: {} })).text,
    ]);
  planned('unknown auth type', { authType: 'magic' });
  planned('missing service principal values', { authType: 'service-principal' });
  planned('missing Azure Pipelines values', { authType: 'azure-pipelines' });
  planned('missing workload identity values', { authType: 'workload-identity' });
  planned('missing username', { authType: 'username-password', password: 'x' });
  planned('OIDC without a token service', { authType: 'oidc', clientId: CLIENT, tenantId: TENANT });
  planned('client and tenant without OIDC', { clientId: CLIENT, tenantId: TENANT });
  planned(
    'a secret with OIDC',
    { authType: 'oidc', clientSecret: 's', clientId: CLIENT, tenantId: TENANT },
    true,
  );
  planned('secret and certificate', {
    clientSecret: 's',
    clientCertificate: '/c.pem',
    clientId: CLIENT,
    tenantId: TENANT,
  });
  planned('creds and secret', { creds: '{}', clientSecret: 's' });
  planned('bad creds', { creds: 'not json' });
  planned('bad client id', { authType: 'managed-identity', clientId: 'app' });
  planned('bad tenant id', { authType: 'azure-cli', tenantId: 'not a tenant' });
  planned('bad service connection id', { authType: 'azure-pipelines', serviceConnectionId: 'x' });
  planned('bad resource id', { authType: 'managed-identity', managedIdentityResourceId: '/x' });
  planned('bad token audience', { authType: 'managed-identity', tokenAudience: 'graph' });
  planned('bad clients', { authType: 'anonymous', clients: 'kubectl' });
  planned('bad environment', { authType: 'anonymous', environment: 'Mars' });
  planned('custom cloud incomplete', { authType: 'anonymous', environment: 'custom' });
  planned('suffix for a named cloud', { authType: 'anonymous', registrySuffix: 'example.com' });
  planned('ARM in a custom cloud', {
    authType: 'managed-identity',
    environment: 'custom',
    authorityHost: 'https://login.example.com',
    registrySuffix: 'cr.example.com',
    registry: 'contoso',
    tokenAudience: 'arm',
  });
  planned('untrusted registry', { authType: 'managed-identity', registry: 'registry.example.com' });
  planned('per-registry client for a service principal', {
    registry: `contoso client-id=${CLIENT}`,
    clientId: CLIENT,
    tenantId: TENANT,
    clientSecret: 's',
  });
  planned('overrides for anonymous', { authType: 'anonymous', registry: `contoso tenant-id=${TENANT}` });
  planned('certificate password alone', { authType: 'service-principal', clientCertificatePassword: 'p' });
  planned('certificate neither PEM nor path', {
    clientId: CLIENT,
    tenantId: TENANT,
    clientCertificate: 'x'.repeat(2000),
  });

  for (const [name, values, oidc] of [
    ['username', { username: 'u' }, false],
    ['secret', { clientSecret: 's' }, false],
    ['service connection', { serviceConnectionId: CLIENT }, false],
    ['oidc', { clientId: CLIENT, tenantId: TENANT }, true],
    ['managed identity', { clientId: CLIENT }, false],
    ['nothing', {}, false],
  ] as const) {
    texts.push([`auto reason: ${name}`, chooseAuthType(values, { oidcAvailable: oidc, env: {} }).reason]);
  }
  for (const type of AUTH_TYPES)
    texts.push([
      `explicit reason: ${type}`,
      chooseAuthType({ authType: type }, { oidcAvailable: true, env: {} }).reason,
    ]);

  for (const code of EXPLAINED_CODES) {
    for (const authType of Object.keys(KINDS) as AuthType[]) {
      const explained = explainEntraError(`${code}: refused`, {
        authType,
        clientId: CLIENT,
        tenantId: TENANT,
      });
      texts.push([`${code} for ${authType}`, `${explained?.explanation} ${explained?.fix}`]);
    }
  }
  for (const audience of ['acr', 'arm'] as const) {
    texts.push([
      `exchange refused (${audience})`,
      catchError(() =>
        processExchangeResponse({ loginServer: 'c.azurecr.io', identity: 'x', audience }, response(401)),
      ).text,
    ]);
  }
  texts.push([
    'password refused',
    catchError(() => processBasicTokenResponse('c.azurecr.io', false, response(401))).text,
  ]);
  texts.push([
    'anonymous refused',
    catchError(() => processBasicTokenResponse('c.azurecr.io', true, response(401))).text,
  ]);
  texts.push(['state unreadable', catchError(() => parseState('{')).text]);
  const mi = KINDS['managed-identity'].unexplained?.({ type: 'managed-identity' }, new Error('no IMDS'));
  const cli = KINDS['azure-cli'].unexplained?.({ type: 'azure-cli' }, new Error('no az'));
  if (mi === undefined || cli === undefined) throw new Error('the SDK kinds explain their own failures');
  texts.push(['managed identity unavailable', mi.text]);
  texts.push(['Azure CLI failed', cli.text]);
  return texts;
}

const CORPUS = corpus();

describe('a task run never names an input the task does not have', () => {
  test.each(TASK_VOCABULARIES)('%s: every input and auth type', (_name, words) => {
    for (const key of ALL_KEYS) for (const name of ACTION_ONLY) expect(words.input(key)).not.toContain(name);
    for (const type of [...AUTH_TYPES, 'auto']) {
      for (const name of ACTION_ONLY) {
        expect(words.authTypeIs(type)).not.toContain(name);
        expect(words.authTypeSetting(type)).not.toContain(name);
      }
    }
  });

  test.each(CORPUS)('%s', (_name, text) => {
    for (const [, words] of TASK_VOCABULARIES) {
      const said = render(text, words);
      expect(said).not.toContain('⟦');
      for (const name of ACTION_ONLY) expect(said, said).not.toContain(name);
    }
  });
});

describe('an Action run never names an input only the task has', () => {
  test.each(CORPUS)('%s', (_name, text) => {
    const said = render(text, actionWords);
    expect(said).not.toContain('⟦');
    for (const name of TASK_ONLY) expect(said, said).not.toContain(name);
  });

  test('every input the Action has is named as action.yml names it', () => {
    for (const key of ALL_KEYS.filter((k) => !['serviceConnectionId', 'systemAccessToken'].includes(k))) {
      const name = actionWords.input(key).replace(/"/g, '');
      if (!key.startsWith('AZURE_')) expect(actionNames).toContain(name);
    }
  });
});

describe('core spells no input name itself', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });
  const names = actionNames.filter((name) => name.includes('-'));
  // wording.ts holds core's plain spelling, which is how the Action names inputs.
  const sources = files(new URL('packages/core/src', ROOT).pathname).filter((f) => !f.endsWith('wording.ts'));
  test.each(sources)('%s', (file) => {
    const source = readFileSync(file, 'utf8');
    for (const name of names) expect(source, name).not.toContain(`"${name}"`);
  });
});
