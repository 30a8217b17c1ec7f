import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { type Dispatcher, request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ACR_SCOPE,
  type App,
  AUTHORITY_HOSTS,
  type Emulator,
  HELLO_REPOSITORY,
  REFRESH_TOKEN_USERNAME,
  REGISTRIES,
  startEmulator,
} from '../emulator/index.ts';
import { requireTool, skopeoPush, writeAuthFile } from '../support/clients.ts';

/**
 * The emulator's ABAC-mode registry (`contosoabac.azurecr.io`): AcrPull/AcrPush are ignored, repository roles with
 * optional conditions decide, and a wildcard repository scope is refused. Classic registries are unchanged.
 */

let emu: Emulator;
let dispatcher: Dispatcher;

beforeAll(async () => {
  emu = await startEmulator();
  dispatcher = emu.dispatcher();
});

afterAll(async () => {
  await dispatcher?.close();
  await emu?.stop();
});

async function post(
  url: string,
  form: URLSearchParams,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    dispatcher,
  });
  const text = await response.body.text();
  return { status: response.statusCode, json: text === '' ? {} : JSON.parse(text) };
}

async function exchange(app: App, loginServer: string): Promise<{ status: number; refreshToken: string }> {
  const entra = await post(
    `https://${AUTHORITY_HOSTS.AzureCloud}/${emu.scenario.tenantId}/oauth2/v2.0/token`,
    new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: app.secret ?? '',
      scope: ACR_SCOPE,
    }),
  );
  expect(entra.status).toBe(200);
  const reply = await post(
    `https://${loginServer}/oauth2/exchange`,
    new URLSearchParams({
      grant_type: 'access_token',
      service: loginServer,
      tenant: emu.scenario.tenantId,
      access_token: String(entra.json.access_token),
    }),
  );
  return { status: reply.status, refreshToken: String(reply.json.refresh_token ?? '') };
}

/** The `access` claim the token endpoint grants for `scopes`, or the HTTP status when it refuses. */
async function granted(
  loginServer: string,
  refreshToken: string,
  scopes: readonly string[],
): Promise<{ status: number; access?: unknown }> {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    service: loginServer,
    refresh_token: refreshToken,
  });
  for (const scope of scopes) form.append('scope', scope);
  const reply = await post(`https://${loginServer}/oauth2/token`, form);
  if (reply.status !== 200) return { status: reply.status };
  return { status: 200, access: decodeJwt(String(reply.json.access_token)).access };
}

const ask = (name: string) => `repository:${name}:pull,push`;
const entry = (name: string, actions: readonly string[]) => ({ type: 'repository', name, actions });

describe('ABAC-mode registry', () => {
  test('ignores AcrPush: spPullOnly holds AcrPush there but a Reader assignment, so it gets pull', async () => {
    const registry = emu.scenario.registries.get(REGISTRIES.abac);
    expect(registry?.roleAssignmentMode).toBe('rbac-abac');
    expect(registry?.roles.get(emu.scenario.apps.spPullOnly.objectId)).toBe('push');
    const { status, refreshToken } = await exchange(emu.scenario.apps.spPullOnly, REGISTRIES.abac);
    expect(status).toBe(200);
    expect(await granted(REGISTRIES.abac, refreshToken, [ask(HELLO_REPOSITORY), ask('app')])).toEqual({
      status: 200,
      access: [entry(HELLO_REPOSITORY, ['pull']), entry('app', ['pull'])],
    });
  });

  test('a Writer assignment without a condition grants pull and push on every repository', async () => {
    const { refreshToken } = await exchange(emu.scenario.apps.spSecret, REGISTRIES.abac);
    expect(await granted(REGISTRIES.abac, refreshToken, [ask('app'), ask('team/api')])).toEqual({
      status: 200,
      access: [entry('app', ['pull', 'push']), entry('team/api', ['pull', 'push'])],
    });
  });

  test('a condition admits the repositories it names or prefixes, and nothing else', async () => {
    const registry = emu.scenario.registries.get(REGISTRIES.abac);
    const spNoRole = emu.scenario.apps.spNoRole;
    registry?.repositoryRoles.push({
      principalId: spNoRole.objectId,
      role: 'Contributor',
      condition: { names: ['App'], prefixes: ['team/'] },
    });
    try {
      const { refreshToken } = await exchange(spNoRole, REGISTRIES.abac);
      expect(
        await granted(REGISTRIES.abac, refreshToken, [
          'repository:app:pull,push,delete',
          ask('team/api'),
          ask('teamwork'),
          ask(HELLO_REPOSITORY),
        ]),
      ).toEqual({
        status: 200,
        access: [
          entry('app', ['pull', 'push', 'delete']),
          entry('team/api', ['pull', 'push']),
          entry('teamwork', []),
          entry(HELLO_REPOSITORY, []),
        ],
      });
    } finally {
      registry?.repositoryRoles.pop();
    }
  });

  test('a principal with no role at all is refused at the exchange', async () => {
    expect((await exchange(emu.scenario.apps.spNoRole, REGISTRIES.abac)).status).toBe(401);
  });

  test.each([
    [REGISTRIES.abac, 401],
    [REGISTRIES.contoso, 200],
  ])('a wildcard repository scope on %s -> %i', async (loginServer, status) => {
    const { refreshToken } = await exchange(emu.scenario.apps.spSecret, loginServer);
    expect((await granted(loginServer, refreshToken, ['repository:*:pull'])).status).toBe(status);
  });

  test('classic registries keep granting from AcrPull/AcrPush on every repository', async () => {
    const { refreshToken } = await exchange(emu.scenario.apps.spPullOnly, REGISTRIES.contoso);
    expect(await granted(REGISTRIES.contoso, refreshToken, [ask('app'), ask('team/api')])).toEqual({
      status: 200,
      access: [entry('app', ['pull']), entry('team/api', ['pull'])],
    });
  });

  test.for([
    ['spSecret (Writer) pushes', 'spSecret', true],
    ['spPullOnly (Reader, AcrPush ignored) cannot push', 'spPullOnly', false],
  ] as const)('%s with skopeo', async ([, appName, allowed], ctx) => {
    requireTool('skopeo', ctx);
    const { refreshToken } = await exchange(emu.scenario.apps[appName], REGISTRIES.abac);
    const authFile = await writeAuthFile(join(await mkdtemp(join(emu.dir, 'abac-')), 'auth.json'), {
      [REGISTRIES.abac]: { username: REFRESH_TOKEN_USERNAME, password: refreshToken },
    });
    const source = `${REGISTRIES.abac}/${HELLO_REPOSITORY}:latest`;
    const push = await skopeoPush(source, `${REGISTRIES.abac}/copied:${appName.toLowerCase()}`, {
      env: emu.env(),
      authFile,
    });
    expect(push.code === 0, push.stderr).toBe(allowed);
  });
});
