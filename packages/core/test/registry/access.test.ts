import { UnsecuredJWT } from 'jose';
import { MockAgent } from 'undici';
import { describe, expect, test } from 'vitest';
import { AcrLoginError } from '../../src/errors.ts';
import type { HttpResponse } from '../../src/http.ts';
import { HttpClient } from '../../src/http.ts';
import type { RepositoryRequest } from '../../src/plan/repositories.ts';
import { accessMissingError, repositoryCondition } from '../../src/registry/access-advice.ts';
import { checkAccess } from '../../src/registry/access-check.ts';
import {
  type AccessTarget,
  accessRequest,
  accessRequests,
  processAccessResponse,
  type RepositoryAccess,
  SCOPES_PER_REQUEST,
} from '../../src/registry/access-protocol.ts';
import { accessOutput } from '../../src/step/report.ts';
import { nullLogger } from '../../src/types.ts';

const contoso = 'contoso.azurecr.io';
const fabrikam = 'fabrikam.azurecr.io';
const CLIENT_ID = '00000000-0000-4000-8000-000000001005';
const SUBJECT = 'repo:octo-org/octo-repo:ref:refs/heads/main';

const entra = (loginServer = contoso): AccessTarget => ({
  loginServer,
  service: loginServer,
  credential: { type: 'refresh-token', refreshToken: 'rt-secret' },
  identity: {
    description: `the app ${CLIENT_ID} in tenant t-1`,
    assignee: CLIENT_ID,
    oidcSubject: SUBJECT,
  },
});
const scopeMapToken: AccessTarget = {
  loginServer: contoso,
  service: contoso,
  credential: { type: 'password', username: 'hello-reader', password: 'token-secret' },
  identity: { description: 'user hello-reader' },
};
const adminUser: AccessTarget = {
  ...scopeMapToken,
  credential: { type: 'password', username: 'contoso', password: 'admin-secret' },
  identity: { description: 'user contoso' },
};
const anonymous: AccessTarget = {
  loginServer: contoso,
  service: contoso,
  credential: { type: 'anonymous' },
  identity: { description: 'anonymous' },
};

const PULL = ['pull'] as const;
const PUSH = ['pull', 'push'] as const;
const NONE = [] as const;

const access = (
  repository: string,
  asked: readonly ('pull' | 'push')[],
  granted: readonly ('pull' | 'push')[],
  loginServer = contoso,
): RepositoryAccess => ({ loginServer, repository, asked, granted });

const want = (repository: string, actions: readonly ('pull' | 'push')[], loginServer = contoso) =>
  ({ loginServer, repository, actions }) as RepositoryRequest;

function accessToken(entries: readonly { name: string; actions: readonly string[] }[]): string {
  return new UnsecuredJWT({ access: entries.map((e) => ({ type: 'repository', ...e })) }).encode();
}
const ok = (entries: readonly { name: string; actions: readonly string[] }[]): HttpResponse => ({
  status: 200,
  headers: {},
  body: JSON.stringify({ access_token: accessToken(entries) }),
});

describe('accessRequest', () => {
  test('a refresh token: POST grant_type=refresh_token, one pull,push scope per repository, repeated', () => {
    expect(accessRequest(entra(), ['app', 'team/api'])).toEqual({
      method: 'POST',
      url: `https://${contoso}/oauth2/token`,
      purpose: `repository access check at ${contoso}`,
      form: {
        grant_type: 'refresh_token',
        refresh_token: 'rt-secret',
        service: contoso,
        scope: ['repository:app:pull,push', 'repository:team/api:pull,push'],
      },
    });
  });

  test('admin users and scope-map tokens: grant_type=password with the same scopes', () => {
    expect(accessRequest(scopeMapToken, ['app']).form).toEqual({
      grant_type: 'password',
      username: 'hello-reader',
      password: 'token-secret',
      service: contoso,
      scope: ['repository:app:pull,push'],
    });
  });

  test('anonymous: a GET without credentials, scopes in the query', () => {
    const req = accessRequest(anonymous, ['app', 'web']);
    expect(req.method).toBe('GET');
    expect(req.headers).toBeUndefined();
    expect(req.form).toBeUndefined();
    const url = new URL(req.url);
    expect(url.pathname).toBe('/oauth2/token');
    expect(url.searchParams.getAll('scope')).toEqual([
      'repository:app:pull,push',
      'repository:web:pull,push',
    ]);
    expect(url.searchParams.get('service')).toBe(contoso);
  });

  test.each([
    [1, 1],
    [SCOPES_PER_REQUEST, 1],
    [SCOPES_PER_REQUEST + 1, 2],
    [10, 2],
    [11, 3],
  ])('%i repositories -> %i requests, every repository once, never a wildcard', (count, requests) => {
    const names = Array.from({ length: count }, (_, i) => `repo${i}`);
    const batches = accessRequests(entra(), names);
    expect(batches).toHaveLength(requests);
    expect(batches.flatMap((b) => b.repositories)).toEqual(names);
    const scopes = batches.flatMap((b) => b.request.form?.scope as string[]);
    expect(scopes).toEqual(names.map((n) => `repository:${n}:pull,push`));
    expect(scopes.join(' ')).not.toContain('*');
  });
});

describe('processAccessResponse', () => {
  test.each<[string, HttpResponse, Record<string, string[]>]>([
    [
      'reads each repository from the access claim',
      ok([
        { name: 'app', actions: ['pull', 'push'] },
        { name: 'web', actions: ['pull'] },
      ]),
      { app: ['pull', 'push'], web: ['pull'] },
    ],
    [
      'a repository the claim leaves out is granted nothing',
      ok([{ name: 'app', actions: ['pull'] }]),
      { app: ['pull'], web: [] },
    ],
    [
      '"*" means pull and push',
      ok([
        { name: 'app', actions: ['*'] },
        { name: 'web', actions: [] },
      ]),
      { app: ['pull', 'push'], web: [] },
    ],
    [
      'other actions are not what was asked',
      ok([
        { name: 'app', actions: ['delete', 'push'] },
        { name: 'web', actions: ['metadata_read'] },
      ]),
      { app: ['push'], web: [] },
    ],
  ])('%s', (_, res, expected) => {
    const result = processAccessResponse(contoso, ['app', 'web'], res);
    expect(result.kind).toBe('granted');
    if (result.kind === 'granted') expect(Object.fromEntries(result.granted)).toEqual(expected);
  });

  test.each([401, 403])('HTTP %i is a refusal, with the registry’s words', (status) => {
    const body = JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'no access' }] });
    expect(processAccessResponse(contoso, ['app'], { status, headers: {}, body })).toEqual({
      kind: 'refused',
      reason: `HTTP ${status}: UNAUTHORIZED no access`,
    });
  });

  test.each<[string, HttpResponse, string, RegExp]>([
    [
      'a server error',
      { status: 500, headers: { 'x-ms-correlation-request-id': 'c-9' }, body: '' },
      'HTTP_FAILED',
      /HTTP 500 \(correlation id c-9\)/,
    ],
    [
      'no access token',
      { status: 200, headers: {}, body: '{}' },
      'REGISTRY_PROTOCOL',
      /without a readable access token/,
    ],
    [
      'not a JWT',
      { status: 200, headers: {}, body: '{"access_token":"opaque"}' },
      'REGISTRY_PROTOCOL',
      /readable/,
    ],
  ])('%s -> %s', (_, res, code, message) => {
    expect(() => processAccessResponse(contoso, ['app'], res)).toThrowError(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  });
});

/** The message of accessMissingError, failing the test when there is none. */
function messageOf(target: AccessTarget, results: readonly RepositoryAccess[]): string {
  const error = accessMissingError(target, results);
  if (error === undefined) throw new Error('expected an error');
  expect(error).toMatchObject({ code: 'ACR_ACCESS_MISSING', input: 'repositories' });
  return error.message;
}

describe('accessMissingError', () => {
  test('everything granted: no error; more than asked is fine', () => {
    expect(
      accessMissingError(entra(), [access('app', PULL, PUSH), access('web', PUSH, PUSH)]),
    ).toBeUndefined();
  });

  test('names registry, repository, asked, granted, client id and OIDC subject', () => {
    const error = accessMissingError(entra(), [access('app', PUSH, PULL), access('web', PULL, PULL)]);
    expect(error?.message).toContain(
      `Registry "${contoso}": the app ${CLIENT_ID} in tenant t-1 (OIDC subject "${SUBJECT}") lacks access that "repositories" asks for; fix: grant it "AcrPush" ("Container Registry Repository Writer" on a registry with ABAC repository permissions).\n  app: asked pull, push; granted pull\n`,
    );
    expect(error?.message).not.toContain('web:');
    expect(error?.details).toEqual({ registry: contoso, 'client id': CLIENT_ID, 'OIDC subject': SUBJECT });
  });

  test('a pull-only identity asking push: AcrPush, or Repository Writer with a condition, both commands filled in', () => {
    const message = messageOf(entra(), [access('app', PUSH, PULL)]);
    expect(message).toContain(
      'Fix: grant "AcrPush" on the registry, or, if the registry uses ABAC repository permissions, "Container Registry Repository Writer" (with a condition for "app" if you scope it):',
    );
    expect(message).toContain(
      `  az role assignment create --assignee ${CLIENT_ID} --role AcrPush --scope "$(az acr show --name contoso --query id -o tsv)"\n`,
    );
    expect(message).toContain(
      `  az role assignment create --assignee ${CLIENT_ID} --role "Container Registry Repository Writer" --scope "$(az acr show --name contoso --query id -o tsv)" --condition-version 2.0 --condition "${repositoryCondition('push', ['app'])}"`,
    );
    expect(message).toContain('so both are named');
  });

  test('missing pull only: AcrPull or Repository Reader', () => {
    const message = messageOf(entra(), [access('app', PULL, NONE), access('web', PULL, NONE)]);
    expect(message).toContain('"AcrPull" on the registry');
    expect(message).toContain('"Container Registry Repository Reader" (with a condition for "app", "web"');
    expect(message).not.toContain('AcrPush');
  });

  test('grants that differ between repositories can only be an ABAC condition: names it, not AcrPush', () => {
    const message = messageOf(entra(), [access(HELLO, PUSH, PUSH), access('app', PUSH, NONE)]);
    expect(message).toContain('the registry uses ABAC repository permissions');
    expect(message).toContain('the condition of the identity\'s "Container Registry Repository Writer"');
    expect(message).toContain('leaves out "app"');
    expect(message).toContain('Fix: add "app" to that assignment\'s condition');
    expect(message).not.toContain('AcrPush');
  });

  test('an unknown assignee (system-assigned managed identity) gets a placeholder, never a guess', () => {
    const target = {
      ...entra(),
      identity: { description: 'the system-assigned managed identity of this machine' },
    };
    const message = messageOf(target, [access('app', PUSH, PULL)]);
    expect(message).toContain('--assignee <object id of the identity>');
    expect(message).not.toContain('OIDC subject');
  });

  test('a scope-map token outside its map: az acr scope-map update per repository', () => {
    const message = messageOf(scopeMapToken, [access('app', PUSH, NONE), access('web', PULL, NONE)]);
    expect(message).toContain('"hello-reader" is a repository-scoped token');
    expect(message).toContain(
      '  az acr scope-map update --registry contoso --name "$(az acr token show --registry contoso --name hello-reader --query scopeMapId -o tsv | xargs basename)" --add-repository app content/read content/write\n',
    );
    expect(message).toMatch(/--add-repository web content\/read$/);
    expect(message).not.toContain('az role assignment');
  });

  test('the admin user: no role to grant', () => {
    const message = messageOf(adminUser, [access('app', PUSH, PULL)]);
    expect(message).toContain('the admin user has every right');
    expect(message).not.toContain('scope-map');
  });

  test('anonymous asking push: sign in with AcrPush or Repository Writer', () => {
    const message = messageOf(anonymous, [access('app', PUSH, PULL)]);
    expect(message).toContain('an anonymous login can only pull');
    expect(message).toContain('"Container Registry Repository Writer"');
  });

  test('a refused token request is quoted', () => {
    const results = [{ ...access('app', PULL, NONE), refusal: 'HTTP 401: UNAUTHORIZED denied' }];
    expect(messageOf(entra(), results)).toContain(
      'app: asked pull; granted nothing (the registry refused: HTTP 401: UNAUTHORIZED denied)',
    );
  });
});

const HELLO = 'hello';

test('repositoryCondition lets the role’s data actions through on the named repositories only', () => {
  expect(repositoryCondition('pull', ['app', 'team/api'])).toBe(
    "((NOT (ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'}) AND NOT (ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/metadata/read'})) OR (@Resource[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase 'app' OR @Resource[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase 'team/api'))",
  );
  expect(repositoryCondition('push', ['app'])).toContain('repositories/content/write');
  expect(repositoryCondition('push', ['app'])).toContain('repositories/metadata/write');
});

test('accessOutput maps login server and repository to what was granted', () => {
  expect(
    accessOutput([access('app', PULL, PUSH), access('web', PULL, PULL), access('app', PUSH, NONE, fabrikam)]),
  ).toEqual({
    [`${contoso}/app`]: ['pull', 'push'],
    [`${contoso}/web`]: ['pull'],
    [`${fabrikam}/app`]: [],
  });
});

describe('checkAccess over HTTP (undici MockAgent)', () => {
  function setup() {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const http = new HttpClient({ dispatcher: agent, logger: nullLogger, sleep: async () => {} });
    const masked: string[] = [];
    const forms: URLSearchParams[] = [];
    /** Answer each token request from `grants` (repository -> actions), recording the forms. */
    const serve = (origin: string, grants: Record<string, readonly string[]>, times: number) => {
      agent
        .get(origin)
        .intercept({ path: '/oauth2/token', method: 'POST' })
        .reply(200, (opts) => {
          const form = new URLSearchParams(String(opts.body));
          forms.push(form);
          const names = form.getAll('scope').map((s) => s.split(':')[1] ?? '');
          return { access_token: accessToken(names.map((name) => ({ name, actions: grants[name] ?? [] }))) };
        })
        .times(times);
    };
    return { agent, http, masked, forms, serve, mask: (s: string) => masked.push(s) };
  }

  test('ten repositories, everything granted: two requests, results in the order asked, tokens masked', async () => {
    const { agent, http, masked, forms, serve, mask } = setup();
    const names = Array.from({ length: 10 }, (_, i) => `app${i}`);
    serve(`https://${contoso}`, Object.fromEntries(names.map((n) => [n, ['pull', 'push']])), 2);
    const results = await checkAccess(
      http,
      [entra()],
      names.map((n) => want(n, PUSH)),
      mask,
    );
    expect(forms).toHaveLength(2);
    expect(
      forms.every((f) => f.get('grant_type') === 'refresh_token' && f.get('refresh_token') === 'rt-secret'),
    ).toBe(true);
    expect(results.map((r) => r.repository)).toEqual(names);
    expect(results.every((r) => r.granted.join() === 'pull,push')).toBe(true);
    expect(masked).toHaveLength(2);
    agent.assertNoPendingInterceptors();
  });

  test('a refused batch is asked again one repository at a time, so the refusal is attributed', async () => {
    const { agent, http, serve, mask } = setup();
    const pool = agent.get(`https://${contoso}`);
    pool
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'denied' }] });
    pool
      .intercept({ path: '/oauth2/token', method: 'POST', body: (b) => b.includes('secret%2Fthing') })
      .reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'denied' }] });
    serve(`https://${contoso}`, { app: ['pull'] }, 1);
    const error = await checkAccess(
      http,
      [entra()],
      [want('app', PULL), want('secret/thing', PULL)],
      mask,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AcrLoginError);
    expect((error as AcrLoginError).message).toContain(
      'secret/thing: asked pull; granted nothing (the registry refused: HTTP 401: UNAUTHORIZED denied)',
    );
    expect((error as AcrLoginError).message).not.toMatch(/^ {2}app:/m);
    agent.assertNoPendingInterceptors();
  });

  test('two registries with prefixed entries: each asked on its own registry, one error naming both gaps', async () => {
    const { http, forms, serve, mask } = setup();
    serve(`https://${contoso}`, { app: ['pull', 'push'] }, 1);
    serve(`https://${fabrikam}`, { app: ['pull'] }, 1);
    const requests = [want('app', PUSH), want('app', PUSH, fabrikam), want('web', PULL, fabrikam)];
    const error = await checkAccess(http, [entra(), entra(fabrikam)], requests, mask).catch(
      (e: unknown) => e,
    );
    expect(forms.map((f) => f.get('service'))).toEqual(expect.arrayContaining([contoso, fabrikam]));
    expect(error).toMatchObject({ code: 'ACR_ACCESS_MISSING' });
    const message = (error as AcrLoginError).message;
    expect(message).not.toContain(`Registry "${contoso}"`);
    expect(message).toContain(`Registry "${fabrikam}"`);
    expect(message).toContain('  app: asked pull, push; granted pull');
    expect(message).toContain('  web: asked pull; granted nothing');
    expect(message).toContain('az acr show --name fabrikam');
  });

  test('a registry without listed repositories is not asked', async () => {
    const { agent, http, mask } = setup();
    expect(await checkAccess(http, [entra(), entra(fabrikam)], [], mask)).toEqual([]);
    agent.assertNoPendingInterceptors();
  });
});
