import { mkdtemp, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  AcrLoginError,
  type Environment,
  type LoginInputs,
  login,
  planLogin,
} from '../../packages/core/src/index.ts';
import type { RepositoryAccess } from '../../packages/core/src/registry/access-protocol.ts';
import { accessOutput, accessTable } from '../../packages/core/src/step/report.ts';
import { nullLogger } from '../../packages/core/src/types.ts';
import {
  type Emulator,
  GITHUB_DEFAULT_SUBJECT,
  HELLO_REPOSITORY,
  REGISTRIES,
  startEmulator,
} from '../emulator/index.ts';

/**
 * The repository access check against the emulator: a real login (Entra, exchange), then the check at the
 * registries' token endpoints, for both permission models and every kind of credential.
 */

let emulator: Emulator;
let dispatcher: Dispatcher;

beforeAll(async () => {
  emulator = await startEmulator();
  dispatcher = emulator.dispatcher();
});
afterAll(async () => {
  await dispatcher?.close();
  await emulator?.stop();
});
beforeEach(() => emulator.resetRequests());

function sp(name: 'spSecret' | 'spPullOnly' | 'spNoRole') {
  const app = emulator.scenario.apps[name];
  return { clientId: app.clientId, tenantId: emulator.scenario.tenantId, clientSecret: app.secret ?? '' };
}

/** Log in as the step does, `repositories` given: resolves with what was granted; the run's Docker config path. */
async function login$(
  inputs: LoginInputs,
  repositories: string,
  extra: Partial<Environment> = {},
  home?: string,
): Promise<readonly RepositoryAccess[]> {
  home ??= await mkdtemp(join(emulator.dir, 'home-'));
  const env = { HOME: home, XDG_RUNTIME_DIR: join(home, 'run'), XDG_CONFIG_HOME: join(home, '.config') };
  const plan = planLogin({ ...inputs, repositories }, { oidcAvailable: extra.oidcToken !== undefined, env });
  const environment: Environment = { logger: nullLogger, env, dispatcher, sleep: async () => {}, ...extra };
  const result = await login(plan, environment);
  return result.access;
}

async function loginAndCheck(inputs: LoginInputs, repositories: string): Promise<RepositoryAccess[]> {
  return [...(await login$(inputs, repositories))];
}

async function failure(promise: Promise<unknown>): Promise<AcrLoginError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AcrLoginError);
  expect(error).toMatchObject({ code: 'ACR_ACCESS_MISSING', input: 'repositories' });
  return error as AcrLoginError;
}

const tokenRequests = (host: string) => emulator.count({ service: 'acr', host, path: '/oauth2/token' });

describe('classic registry (AcrPull/AcrPush)', () => {
  test('a pull-only identity asking push fails and names AcrPush, with its client id', async () => {
    const error = await failure(loginAndCheck({ registry: 'contoso', ...sp('spPullOnly') }, 'app:push'));
    const clientId = emulator.scenario.apps.spPullOnly.clientId;
    expect(error.message).toContain(`Registry "${REGISTRIES.contoso}": the app ${clientId} in tenant`);
    expect(error.message).toContain('  app: asked pull, push; granted pull');
    expect(error.message).toContain(`az role assignment create --assignee ${clientId} --role AcrPush`);
    expect(error.details).toMatchObject({ 'client id': clientId });
  });

  test('everything granted passes; the access output and the summary table say what was granted', async () => {
    const results = await loginAndCheck(
      { registry: 'contoso', ...sp('spSecret') },
      `app:push\n${HELLO_REPOSITORY}`,
    );
    expect(accessOutput(results)).toEqual({
      [`${REGISTRIES.contoso}/app`]: ['pull', 'push'],
      [`${REGISTRIES.contoso}/${HELLO_REPOSITORY}`]: ['pull', 'push'],
    });
    expect(accessTable(results)).toEqual([
      ['Registry', 'Repository', 'Asked', 'Granted'],
      [REGISTRIES.contoso, 'app', 'pull, push', 'pull, push'],
      [REGISTRIES.contoso, HELLO_REPOSITORY, 'pull', 'pull, push'],
    ]);
  });

  test('ten repositories on one registry cost at most two token requests, with no wildcard scope', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `app${i}:push`).join(',');
    const results = await loginAndCheck({ registry: 'contoso', ...sp('spSecret') }, names);
    expect(results).toHaveLength(10);
    expect(tokenRequests(REGISTRIES.contoso)).toBeLessThanOrEqual(2);
    expect(tokenRequests(REGISTRIES.contoso)).toBeGreaterThan(0);
    const scopes = emulator.requests
      .filter((r) => r.path === '/oauth2/token')
      .map((r) => JSON.stringify(r.form));
    for (const scope of scopes) expect(scope).not.toContain('*');
  });

  test('a scope-map token outside its map fails and names az acr scope-map update', async () => {
    const token = emulator.scenario.registries.get(REGISTRIES.contoso)?.tokens[0];
    const error = await failure(
      loginAndCheck(
        { registry: 'contoso', username: token?.username ?? '', password: token?.password ?? '' },
        `${HELLO_REPOSITORY}, app:push`,
      ),
    );
    expect(error.message).toContain('  app: asked pull, push; granted nothing');
    expect(error.message).not.toContain(`  ${HELLO_REPOSITORY}: asked`);
    expect(error.message).toContain(
      `az acr scope-map update --registry contoso --name "$(az acr token show --registry contoso --name ${token?.username}`,
    );
    expect(error.message).not.toContain('az role assignment');
  });

  test('anonymous pull passes, anonymous push fails', async () => {
    const granted = await loginAndCheck({ registry: 'public', authType: 'anonymous' }, HELLO_REPOSITORY);
    expect(accessOutput(granted)).toEqual({ [`${REGISTRIES.public}/${HELLO_REPOSITORY}`]: ['pull'] });
    const error = await failure(loginAndCheck({ registry: 'public', authType: 'anonymous' }, 'app:push'));
    expect(error.message).toContain('an anonymous login can only pull');
  });
});

test('an OIDC login names its subject; a failed check writes no client file', async () => {
  const registry = emulator.scenario.registries.get(REGISTRIES.contoso);
  const app = emulator.scenario.apps.githubApp;
  registry?.roles.set(app.objectId, 'pull');
  try {
    const home = await mkdtemp(join(emulator.dir, 'home-'));
    const attempt = login$(
      { registry: 'contoso', clientId: app.clientId, tenantId: emulator.scenario.tenantId },
      'app:push',
      { oidcToken: () => emulator.githubToken() },
      home,
    );
    const error = await failure(attempt);
    expect(error.message).toContain(`(OIDC subject "${GITHUB_DEFAULT_SUBJECT}")`);
    expect(error.details).toMatchObject({
      'client id': app.clientId,
      'OIDC subject': GITHUB_DEFAULT_SUBJECT,
    });
    expect(
      emulator.count({ service: 'acr', host: REGISTRIES.contoso, path: '/oauth2/exchange', status: 200 }),
    ).toBe(1);
    await expect(stat(join(home, '.docker', 'config.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  } finally {
    registry?.roles.set(app.objectId, 'push');
  }
});

describe('ABAC registry (repository roles)', () => {
  test('a Reader assignment asking push fails and names Container Registry Repository Writer', async () => {
    const error = await failure(
      loginAndCheck({ registry: REGISTRIES.abac, ...sp('spPullOnly') }, 'app:push'),
    );
    expect(error.message).toContain(`Registry "${REGISTRIES.abac}"`);
    expect(error.message).toContain('  app: asked pull, push; granted pull');
    expect(error.message).toContain('--role "Container Registry Repository Writer"');
    expect(error.message).toContain("StringEqualsIgnoreCase 'app'");
  });

  test('a condition that excludes the repository fails and names the condition', async () => {
    const registry = emulator.scenario.registries.get(REGISTRIES.abac);
    registry?.repositoryRoles.push({
      principalId: emulator.scenario.apps.spNoRole.objectId,
      role: 'Writer',
      condition: { names: [HELLO_REPOSITORY] },
    });
    try {
      const error = await failure(
        loginAndCheck({ registry: REGISTRIES.abac, ...sp('spNoRole') }, `${HELLO_REPOSITORY}:push, app:push`),
      );
      expect(error.message).toContain('  app: asked pull, push; granted nothing');
      expect(error.message).toContain(
        `the condition of the identity's "Container Registry Repository Writer" (or "Container Registry Repository Contributor") assignment leaves out "app"`,
      );
      expect(error.message).not.toContain('AcrPush');
    } finally {
      registry?.repositoryRoles.pop();
    }
  });

  test('ten repositories on the ABAC registry: at most two requests, no 401 for a wildcard', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `team/app${i}:push`).join('\n');
    const results = await loginAndCheck({ registry: REGISTRIES.abac, ...sp('spSecret') }, names);
    expect(results).toHaveLength(10);
    expect(accessOutput(results)).toEqual(
      Object.fromEntries(
        Array.from({ length: 10 }, (_, i) => [`${REGISTRIES.abac}/team/app${i}`, ['pull', 'push']]),
      ),
    );
    // Ten scopes go in requests of five: two requests, not one per repository (and not none).
    expect(tokenRequests(REGISTRIES.abac)).toBe(2);
    expect(
      emulator.count({ service: 'acr', host: REGISTRIES.abac, path: '/oauth2/token', status: 401 }),
    ).toBe(0);
  });
});

test('two registries with prefixed entries are each checked on their own registry', async () => {
  const results = await loginAndCheck(
    { registry: `contoso, ${REGISTRIES.abac}`, ...sp('spSecret') },
    `${REGISTRIES.contoso}/app:push\n${REGISTRIES.abac}/app:push\n${REGISTRIES.abac}/${HELLO_REPOSITORY}`,
  );
  expect(accessOutput(results)).toEqual({
    [`${REGISTRIES.contoso}/app`]: ['pull', 'push'],
    [`${REGISTRIES.abac}/app`]: ['pull', 'push'],
    [`${REGISTRIES.abac}/${HELLO_REPOSITORY}`]: ['pull', 'push'],
  });
  expect(tokenRequests(REGISTRIES.contoso)).toBe(1);
  expect(tokenRequests(REGISTRIES.abac)).toBe(1);
});

test('a bad repositories entry is an input error before anything is sent', async () => {
  const error = await loginAndCheck(
    { registry: `contoso, ${REGISTRIES.abac}`, ...sp('spSecret') },
    'app:push',
  ).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'INPUT_INVALID', input: 'repositories' });
  expect((error as Error).message).toContain(`for example "${REGISTRIES.contoso}/app"`);
  expect(emulator.requests).toHaveLength(0);
});
