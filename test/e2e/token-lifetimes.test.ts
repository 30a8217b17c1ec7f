import { decodeJwt } from 'jose';
import { type Dispatcher, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  ACR_SCOPE,
  AUTHORITY_HOSTS,
  DEFAULT_LIFETIMES,
  type Emulator,
  HELLO_REPOSITORY,
  OIDC_AUDIENCE,
  REFRESH_TOKEN_USERNAME,
  REGISTRIES,
  startEmulator,
} from '../emulator/index.ts';
import { requireTool, skopeoInspect, writeAuthFile } from '../support/clients.ts';

/** Short-lived tokens, as renewal tests need them: the emulator issues them and refuses them once expired. */

let emu: Emulator;
let dispatcher: Dispatcher;
// Long enough for any client on a busy machine; expiry is then reached by moving the emulator's clock ahead.
const REFRESH_LIFETIME = 120;

afterEach(() => emu.setRefreshClockAhead(0));
beforeAll(async () => {
  emu = await startEmulator({ lifetimes: { refreshToken: REFRESH_LIFETIME, githubOidc: 30, adoOidc: 45 } });
  dispatcher = emu.dispatcher();
});
afterAll(async () => {
  await dispatcher?.close();
  await emu?.stop();
});

async function send(
  url: string,
  init: { form?: Record<string, string>; headers?: Record<string, string>; method?: 'GET' | 'POST' },
) {
  const response = await request(url, {
    method: init.method ?? (init.form === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      ...init.headers,
    },
    body: init.form === undefined ? null : new URLSearchParams(init.form).toString(),
    dispatcher,
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
  };
}

async function refreshToken(): Promise<string> {
  const app = emu.scenario.apps.spSecret;
  const entra = await send(
    `https://${AUTHORITY_HOSTS.AzureCloud}/${emu.scenario.tenantId}/oauth2/v2.0/token`,
    {
      form: {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.secret ?? '',
        scope: ACR_SCOPE,
      },
    },
  );
  const reply = await send(`https://${REGISTRIES.contoso}/oauth2/exchange`, {
    form: {
      grant_type: 'access_token',
      service: REGISTRIES.contoso,
      tenant: emu.scenario.tenantId,
      access_token: String(entra.json.access_token),
    },
  });
  expect(reply.status).toBe(200);
  return String(reply.json.refresh_token);
}

function accessToken(token: string) {
  return send(`https://${REGISTRIES.contoso}/oauth2/token`, {
    form: {
      grant_type: 'refresh_token',
      service: REGISTRIES.contoso,
      scope: `repository:${HELLO_REPOSITORY}:pull`,
      refresh_token: token,
    },
  });
}

/** Whole seconds from now until the token's `exp`, rounded up. */
const secondsLeft = (token: string) => Math.ceil((decodeJwt(token).exp ?? 0) - Date.now() / 1000);

const lifetime = (token: string) => {
  const claims = decodeJwt(token);
  return (claims.exp ?? 0) - (claims.iat ?? 0);
};

describe('ACR refresh tokens', () => {
  test('live as long as configured, and /oauth2/token refuses them once expired', async () => {
    const token = await refreshToken();
    expect(lifetime(token)).toBe(REFRESH_LIFETIME);
    expect((await accessToken(token)).status).toBe(200);
    // Shortly before its end it still serves; at its end (jose allows no tolerance) it is refused.
    emu.setRefreshClockAhead(secondsLeft(token) - 30);
    expect((await accessToken(token)).status).toBe(200);
    emu.setRefreshClockAhead(secondsLeft(token));
    const refused = await accessToken(token);
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({
      errors: [{ code: 'UNAUTHORIZED', detail: { reason: '"exp" claim timestamp check failed' } }],
    });
  });

  test('skopeo, a real client, is refused with an expired one', async (ctx) => {
    requireTool('skopeo', ctx);
    const token = await refreshToken();
    const authFile = await writeAuthFile(`${emu.dir}/expiring-auth.json`, {
      [REGISTRIES.contoso]: { username: REFRESH_TOKEN_USERNAME, password: token },
    });
    const image = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`;
    const fresh = await skopeoInspect(image, { env: emu.env(), authFile });
    expect(fresh.code, fresh.stderr).toBe(0);
    emu.setRefreshClockAhead(secondsLeft(token) + 1);
    const expired = await skopeoInspect(image, { env: emu.env(), authFile });
    expect(expired.code).not.toBe(0);
    expect(expired.stderr).toMatch(/401|unauthorized|authentication required/i);
  });

  test('setLifetimes changes the tokens issued from then on', async () => {
    emu.setLifetimes({ refreshToken: DEFAULT_LIFETIMES.refreshToken });
    try {
      expect(lifetime(await refreshToken())).toBe(DEFAULT_LIFETIMES.refreshToken);
    } finally {
      emu.setLifetimes({ refreshToken: REFRESH_LIFETIME });
    }
  });
});

describe('CI OIDC tokens', () => {
  test('GitHub tokens live as long as configured', async () => {
    const reply = await send(`${emu.github.requestUrl}&audience=${encodeURIComponent(OIDC_AUDIENCE)}`, {
      headers: { authorization: `Bearer ${emu.github.requestToken}` },
    });
    expect(lifetime(String(reply.json.value))).toBe(30);
  });

  test('Azure Pipelines tokens live as long as configured', async () => {
    const reply = await send(
      `${emu.ado.oidcRequestUri}?api-version=7.1&serviceConnectionId=${emu.ado.serviceConnectionId}`,
      { method: 'POST', headers: { authorization: `Bearer ${emu.ado.accessToken}` } },
    );
    expect(lifetime(String(reply.json.oidcToken))).toBe(45);
  });
});
