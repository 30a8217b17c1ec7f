import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  AzurePipelinesCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  type TokenCredential,
  WorkloadIdentityCredential,
} from '@azure/identity';
import { decodeJwt, SignJWT } from 'jose';
import { Agent, type Dispatcher, request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ACR_AUDIENCE,
  ACR_SCOPE,
  ADO_SUBJECT,
  type App,
  ARM_SCOPES,
  AUTHORITY_HOSTS,
  type Emulator,
  GITHUB_DEFAULT_SUBJECT,
  HELLO_REPOSITORY,
  OIDC_AUDIENCE,
  REFRESH_TOKEN_LIFETIME,
  REFRESH_TOKEN_USERNAME,
  REGISTRIES,
  randomSecret,
  startEmulator,
} from '../emulator/index.ts';
import {
  dockerLogin,
  requireTool,
  run,
  skopeoInspect,
  skopeoPull,
  skopeoPush,
  writeAuthFile,
} from '../support/clients.ts';
import { httpClientFor } from '../support/identity.ts';

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

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: Record<string, unknown>;
}

async function send(
  url: string,
  init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const response = await request(url, {
    method: (init.method ?? (init.form === undefined ? 'GET' : 'POST')) as 'GET' | 'POST',
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
    headers: response.headers,
    json: text === '' ? {} : JSON.parse(text),
  };
}

const tokenUrl = (host: string = AUTHORITY_HOSTS.AzureCloud, tenant = emu.scenario.tenantId): string =>
  `https://${host}/${tenant}/oauth2/v2.0/token`;

async function entraToken(app: App, scope = ACR_SCOPE): Promise<string> {
  const reply = await send(tokenUrl(), {
    form: {
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: app.secret ?? '',
      scope,
    },
  });
  expect(reply.status).toBe(200);
  return String(reply.json.access_token);
}

function exchange(loginServer: string, accessToken: string): Promise<Reply> {
  return send(`https://${loginServer}/oauth2/exchange`, {
    form: {
      grant_type: 'access_token',
      service: loginServer,
      tenant: emu.scenario.tenantId,
      access_token: accessToken,
    },
  });
}

async function refreshToken(app: App, loginServer: string = REGISTRIES.contoso): Promise<string> {
  const reply = await exchange(loginServer, await entraToken(app));
  expect(reply.status).toBe(200);
  return String(reply.json.refresh_token);
}

async function githubOidc(audience = OIDC_AUDIENCE): Promise<string> {
  const reply = await send(`${emu.github.requestUrl}&audience=${encodeURIComponent(audience)}`, {
    headers: { authorization: `Bearer ${emu.github.requestToken}` },
  });
  return String(reply.json.value);
}

/** Run a Node ESM snippet in its own process with the emulator's environment (proxy and CA from env). */
async function runNode(script: string, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const result = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: emu.env(env),
    cwd: process.cwd(),
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe('Entra ID with @azure/identity 4.13.1', () => {
  const options = () => ({ httpClient: httpClientFor(dispatcher) });
  const apps = () => emu.scenario.apps;
  const cases: Array<[string, () => { app: App; credential: TokenCredential }]> = [
    [
      'ClientSecretCredential, public cloud',
      () => ({
        app: apps().spSecret,
        credential: new ClientSecretCredential(
          emu.scenario.tenantId,
          apps().spSecret.clientId,
          apps().spSecret.secret ?? '',
          options(),
        ),
      }),
    ],
    [
      'ClientSecretCredential, China cloud (MSAL uses login.partner.microsoftonline.cn)',
      () => ({
        app: apps().spSecret,
        credential: new ClientSecretCredential(
          emu.scenario.tenantId,
          apps().spSecret.clientId,
          apps().spSecret.secret ?? '',
          {
            ...options(),
            authorityHost: `https://${AUTHORITY_HOSTS.AzureChinaCloud}`,
          },
        ),
      }),
    ],
    [
      'ClientSecretCredential, US Government cloud',
      () => ({
        app: apps().spSecret,
        credential: new ClientSecretCredential(
          emu.scenario.tenantId,
          apps().spSecret.clientId,
          apps().spSecret.secret ?? '',
          {
            ...options(),
            authorityHost: `https://${AUTHORITY_HOSTS.AzureUSGovernment}`,
          },
        ),
      }),
    ],
    [
      'ClientSecretCredential, custom authority without instance discovery',
      () => ({
        app: apps().spSecret,
        credential: new ClientSecretCredential(
          emu.scenario.tenantId,
          apps().spSecret.clientId,
          apps().spSecret.secret ?? '',
          {
            ...options(),
            authorityHost: `https://${AUTHORITY_HOSTS.custom}`,
            disableInstanceDiscovery: true,
          },
        ),
      }),
    ],
    [
      'ClientCertificateCredential from a PEM file',
      () => ({
        app: apps().spCert,
        credential: new ClientCertificateCredential(
          emu.scenario.tenantId,
          apps().spCert.clientId,
          apps().spCert.certFile ?? '',
          options(),
        ),
      }),
    ],
    [
      'ClientCertificateCredential from PEM text, SHA-256 thumbprint',
      () => ({
        app: apps().spCert,
        credential: new ClientCertificateCredential(
          emu.scenario.tenantId,
          apps().spCert.clientId,
          { certificate: apps().spCert.certPem ?? '' },
          { ...options(), sendCertificateChain: true },
        ),
      }),
    ],
    [
      'ClientAssertionCredential with a GitHub OIDC token',
      () => ({
        app: apps().githubApp,
        credential: new ClientAssertionCredential(
          emu.scenario.tenantId,
          apps().githubApp.clientId,
          () => githubOidc(),
          options(),
        ),
      }),
    ],
    [
      'WorkloadIdentityCredential with a projected token file',
      () => ({
        app: apps().workloadApp,
        credential: new WorkloadIdentityCredential({
          ...options(),
          tenantId: emu.scenario.tenantId,
          clientId: apps().workloadApp.clientId,
          tokenFilePath: emu.scenario.workload.tokenFile,
        }),
      }),
    ],
  ];

  test.each(cases)('%s gets an ACR token for its principal', async (_name, make) => {
    const { app, credential } = make();
    const token = await credential.getToken(ACR_SCOPE);
    expect(decodeJwt(token?.token ?? '')).toMatchObject({
      aud: ACR_AUDIENCE,
      tid: emu.scenario.tenantId,
      oid: app.objectId,
      appid: app.clientId,
      iss: `https://sts.windows.net/${emu.scenario.tenantId}/`,
    });
  });

  test('AzurePipelinesCredential gets a token with the Azure DevOps OIDC token', async () => {
    process.env.SYSTEM_OIDCREQUESTURI = emu.ado.oidcRequestUri;
    try {
      const app = emu.scenario.apps.adoApp;
      const credential = new AzurePipelinesCredential(
        emu.scenario.tenantId,
        app.clientId,
        emu.ado.serviceConnectionId,
        emu.ado.accessToken,
        { httpClient: httpClientFor(dispatcher) },
      );
      const token = await credential.getToken(ACR_SCOPE);
      expect(decodeJwt(token.token)).toMatchObject({ aud: ACR_AUDIENCE, oid: app.objectId });
      expect(emu.count({ service: 'ado', status: 200 })).toBeGreaterThan(0);
    } finally {
      delete process.env.SYSTEM_OIDCREQUESTURI;
    }
  });

  test('ClientSecretCredential through HTTPS_PROXY and NODE_EXTRA_CA_CERTS in a child process', async () => {
    const app = emu.scenario.apps.spSecret;
    const out = await runNode(
      `import { ClientSecretCredential } from '@azure/identity';
       const c = new ClientSecretCredential(process.env.T, process.env.C, process.env.S);
       const t = await c.getToken(process.env.SCOPE);
       console.log(JSON.stringify({ token: t.token }));`,
      { T: emu.scenario.tenantId, C: app.clientId, S: app.secret ?? '', SCOPE: ARM_SCOPES.AzureCloud },
    );
    expect(decodeJwt(String(out.token))).toMatchObject({
      aud: 'https://management.azure.com/',
      oid: app.objectId,
    });
  });

  test('a wrong secret surfaces as AADSTS7000215 through @azure/identity', async () => {
    const app = emu.scenario.apps.spSecret;
    const credential = new ClientSecretCredential(emu.scenario.tenantId, app.clientId, randomSecret(), {
      httpClient: httpClientFor(dispatcher),
    });
    await expect(credential.getToken(ACR_SCOPE)).rejects.toThrow(/AADSTS7000215/);
  });
});

describe('Entra ID errors', () => {
  const form = (app: App, extra: Record<string, string>): Record<string, string> => ({
    grant_type: 'client_credentials',
    client_id: app.clientId,
    scope: ACR_SCOPE,
    ...extra,
  });
  const assertion = (token: string) => ({
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: token,
  });

  const cases: Array<
    [string, number, number, () => Promise<{ url?: string; form: Record<string, string> }>]
  > = [
    [
      'unknown client',
      400,
      700016,
      async () => ({
        form: { ...form(emu.scenario.apps.spSecret, { client_secret: 'x' }), client_id: randomSecret() },
      }),
    ],
    [
      'wrong client secret',
      401,
      7000215,
      async () => ({ form: form(emu.scenario.apps.spSecret, { client_secret: randomSecret() }) }),
    ],
    [
      'unknown tenant',
      400,
      90002,
      async () => ({
        url: tokenUrl(AUTHORITY_HOSTS.AzureCloud, '11111111-1111-1111-1111-111111111111'),
        form: form(emu.scenario.apps.spSecret, { client_secret: emu.scenario.apps.spSecret.secret ?? '' }),
      }),
    ],
    [
      'unknown resource scope',
      400,
      500011,
      async () => ({
        form: form(emu.scenario.apps.spSecret, {
          client_secret: emu.scenario.apps.spSecret.secret ?? '',
          scope: 'https://vault.azure.net/.default',
        }),
      }),
    ],
    [
      'federated token with another subject',
      400,
      70021,
      async () => ({
        form: form(
          emu.scenario.apps.githubApp,
          assertion(await emu.githubToken({ sub: 'repo:evil/fork:ref:refs/heads/main' })),
        ),
      }),
    ],
    [
      'federated token with another audience',
      400,
      700212,
      async () => ({
        form: form(emu.scenario.apps.githubApp, assertion(await emu.githubToken({ aud: 'api://other' }))),
      }),
    ],
    [
      'federated token from an issuer the app does not trust',
      400,
      700211,
      async () => ({ form: form(emu.scenario.apps.adoApp, assertion(await emu.githubToken())) }),
    ],
    [
      'expired federated token',
      400,
      700024,
      async () => ({ form: form(emu.scenario.apps.githubApp, assertion(await emu.githubToken({}, -600))) }),
    ],
    [
      'certificate assertion signed by another key',
      401,
      700027,
      async () => {
        const app = emu.scenario.apps.spCert;
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const token = await new SignJWT({ jti: randomSecret() })
          .setProtectedHeader({ alg: 'RS256', x5t: app.certThumbprints?.[0] ?? '' })
          .setIssuer(app.clientId)
          .setSubject(app.clientId)
          .setAudience(tokenUrl())
          .setExpirationTime('5m')
          .sign(privateKey);
        return { form: form(app, assertion(token)) };
      },
    ],
  ];

  test.each(cases)('%s -> HTTP %i AADSTS%i', async (_name, status, code, make) => {
    const { url, form: body } = await make();
    const reply = await send(url ?? tokenUrl(), { form: body });
    expect(reply.status).toBe(status);
    expect(reply.json.error_codes).toEqual([code]);
    expect(String(reply.json.error_description)).toMatch(new RegExp(`^AADSTS${code}: `));
  });

  test.each([
    AUTHORITY_HOSTS.AzureChinaCloud,
    AUTHORITY_HOSTS.AzureChinaCloudPartner,
    AUTHORITY_HOSTS.custom,
  ])('serves discovery on %s', async (host) => {
    const config = await send(
      `https://${host}/${emu.scenario.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    expect(config.json.token_endpoint).toBe(tokenUrl(host));
    const instance = await send(`https://${host}/common/discovery/instance?api-version=1.1`);
    expect(instance.json.tenant_discovery_endpoint).toBe(
      `https://${host}/${emu.scenario.tenantId}/v2.0/.well-known/openid-configuration`,
    );
  });
});

describe('IMDS', () => {
  const script = `import { ManagedIdentityCredential } from '@azure/identity';
    const c = new ManagedIdentityCredential(JSON.parse(process.env.MI_OPTIONS));
    const t = await c.getToken(process.env.SCOPE);
    console.log(JSON.stringify({ token: t.token }));`;

  test.each([
    ['system-assigned', () => ({}), () => emu.scenario.managedIdentities.systemMi],
    [
      'user-assigned by client id',
      () => ({ clientId: emu.scenario.managedIdentities.userMi.clientId }),
      () => emu.scenario.managedIdentities.userMi,
    ],
    [
      'user-assigned by resource id',
      () => ({ resourceId: emu.scenario.managedIdentities.userMi.resourceId }),
      () => emu.scenario.managedIdentities.userMi,
    ],
  ])('ManagedIdentityCredential, %s, in its own process', async (_name, options, identity) => {
    const out = await runNode(script, { MI_OPTIONS: JSON.stringify(options()), SCOPE: ACR_SCOPE });
    expect(decodeJwt(String(out.token))).toMatchObject({ aud: ACR_AUDIENCE, oid: identity().objectId });
  });

  test('requires the Metadata header', async () => {
    const url = `${emu.imdsUrl}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${ACR_AUDIENCE}`;
    expect((await send(url)).status).toBe(400);
    const reply = await send(url, { headers: { metadata: 'true' } });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      resource: ACR_AUDIENCE,
      token_type: 'Bearer',
      client_id: emu.scenario.managedIdentities.systemMi.clientId,
    });
  });

  test('can be made absent: the port refuses connections', async () => {
    const url = `${emu.imdsUrl}/metadata/identity/oauth2/token/?api-version=2018-02-01&resource=${ACR_AUDIENCE}`;
    await emu.setImdsAvailable(false);
    try {
      // A fresh agent: a pooled keep-alive socket would see 'other side closed' instead.
      const agent = new Agent();
      await expect(request(url, { headers: { metadata: 'true' }, dispatcher: agent })).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
      await agent.close();
    } finally {
      await emu.setImdsAvailable(true);
    }
    const back = url.replace(/^http:\/\/127\.0\.0\.1:\d+/, emu.imdsUrl);
    expect((await send(back, { headers: { metadata: 'true' } })).status).toBe(200);
  });
});

describe('CI OIDC token services', () => {
  test('GitHub issues a token for the requested audience only with the request token', async () => {
    const url = `${emu.github.requestUrl}&audience=api://custom`;
    expect((await send(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const reply = await send(url, { headers: { authorization: `Bearer ${emu.github.requestToken}` } });
    expect(decodeJwt(String(reply.json.value))).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      sub: GITHUB_DEFAULT_SUBJECT,
      aud: 'api://custom',
    });
  });

  test('Azure DevOps answers 401 for a wrong token and 404 for an unknown connection', async () => {
    const url = (id: string) => `${emu.ado.oidcRequestUri}?api-version=7.1&serviceConnectionId=${id}`;
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    expect(
      (await send(url(emu.ado.serviceConnectionId), { method: 'POST', headers: auth('wrong') })).status,
    ).toBe(401);
    expect(
      (await send(url(randomSecret()), { method: 'POST', headers: auth(emu.ado.accessToken) })).status,
    ).toBe(404);
    const reply = await send(url(emu.ado.serviceConnectionId), {
      method: 'POST',
      headers: auth(emu.ado.accessToken),
    });
    expect(decodeJwt(String(reply.json.oidcToken))).toMatchObject({ sub: ADO_SUBJECT, aud: OIDC_AUDIENCE });
  });
});

describe('ACR /oauth2/exchange', () => {
  test('returns a refresh token for a principal with a role', async () => {
    const reply = await exchange(REGISTRIES.contoso, await entraToken(emu.scenario.apps.spSecret));
    expect(reply.status).toBe(200);
    expect(reply.headers['x-ms-correlation-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const claims = decodeJwt(String(reply.json.refresh_token));
    expect(claims).toMatchObject({
      aud: REGISTRIES.contoso,
      tenant: emu.scenario.tenantId,
      grant_type: 'refresh_token',
      permissions: { actions: ['pull', 'push'] },
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(REFRESH_TOKEN_LIFETIME);
  });

  test.each([
    [REGISTRIES.contoso, 200],
    [REGISTRIES.noarm, 401],
  ])('an ARM-audience token on %s -> %i', async (registry, status) => {
    const reply = await exchange(
      registry,
      await entraToken(emu.scenario.apps.spSecret, ARM_SCOPES.AzureCloud),
    );
    expect(reply.status).toBe(status);
    if (status === 401) expect(JSON.stringify(reply.json)).toContain('authentication-as-arm is disabled');
  });

  test('a principal without a role gets 401 UNAUTHORIZED', async () => {
    const reply = await exchange(REGISTRIES.contoso, await entraToken(emu.scenario.apps.spNoRole));
    expect(reply.status).toBe(401);
    expect(reply.json).toMatchObject({ errors: [{ code: 'UNAUTHORIZED' }] });
  });
});

describe('ACR /oauth2/token', () => {
  test.each([
    ['spSecret', ['pull', 'push']],
    ['spPullOnly', ['pull']],
  ] as const)('grants %s the requested actions its role allows: %j', async (appName, actions) => {
    const reply = await send(`https://${REGISTRIES.contoso}/oauth2/token`, {
      form: {
        grant_type: 'refresh_token',
        service: REGISTRIES.contoso,
        scope: `repository:${HELLO_REPOSITORY}:pull,push`,
        refresh_token: await refreshToken(emu.scenario.apps[appName]),
      },
    });
    expect(reply.status).toBe(200);
    expect(decodeJwt(String(reply.json.access_token))).toMatchObject({
      aud: REGISTRIES.contoso,
      access: [{ type: 'repository', name: HELLO_REPOSITORY, actions }],
    });
  });

  test('a refresh token for another registry is refused', async () => {
    const reply = await send(`https://${REGISTRIES.noarm}/oauth2/token`, {
      form: {
        grant_type: 'refresh_token',
        service: REGISTRIES.noarm,
        scope: `repository:${HELLO_REPOSITORY}:pull`,
        refresh_token: await refreshToken(emu.scenario.apps.spSecret),
      },
    });
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBe(
      `Bearer realm="https://${REGISTRIES.noarm}/oauth2/token",service="${REGISTRIES.noarm}"`,
    );
  });
});

test('extraRegistries adds reg1..regN with a push role for spSecret, each seeded', async () => {
  const extra = await startEmulator({ extraRegistries: 2 });
  const agent = extra.dispatcher();
  try {
    expect(extra.scenario.extraRegistries).toEqual(['reg1.azurecr.io', 'reg2.azurecr.io']);
    const registry = extra.scenario.registries.get('reg2.azurecr.io');
    expect(registry?.roles.get(extra.scenario.apps.spSecret.objectId)).toBe('push');
    const response = await request('https://reg2.azurecr.io/v2/', { dispatcher: agent });
    await response.body.dump();
    expect(response.statusCode).toBe(401);
  } finally {
    await agent.close();
    await extra.stop();
  }
});

describe('real clients against the registries', () => {
  test('skopeo pulls hello:latest from contoso with the admin user', async (ctx) => {
    requireTool('skopeo', ctx);
    const dir = await mkdtemp(join(emu.dir, 'admin-'));
    const admin = emu.scenario.registries.get(REGISTRIES.contoso)?.admin;
    const authFile = await writeAuthFile(join(dir, 'auth.json'), {
      [REGISTRIES.contoso]: { username: admin?.username ?? '', password: admin?.password ?? '' },
    });
    const result = await skopeoPull(`${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`, join(dir, 'oci'), {
      env: emu.env(),
      authFile,
    });
    expect(result.stderr).not.toContain('level=fatal');
    expect(result.code).toBe(0);
    // Open the pulled layer: one tar entry, the file the emulator seeded, byte for byte.
    const blob = (digest: string) => readFile(join(dir, 'oci', 'blobs', ...digest.split(':')));
    const index = JSON.parse(await readFile(join(dir, 'oci', 'index.json'), 'utf8'));
    expect(index.manifests).toHaveLength(1);
    const manifest = JSON.parse((await blob(index.manifests[0].digest)).toString('utf8'));
    expect(manifest.layers).toHaveLength(1);
    const tar = gunzipSync(await blob(manifest.layers[0].digest));
    const field = (offset: number, length: number) =>
      tar.subarray(offset, offset + length).toString('latin1');
    expect(field(0, 100).replace(/\0+$/, '')).toBe('hello.txt');
    const size = Number.parseInt(field(124, 12), 8);
    expect(tar.subarray(512, 512 + size).toString('utf8')).toBe('hello from the acr-login emulator\n');
  });

  test('a scope-map token pulls only its repository', async (ctx) => {
    requireTool('skopeo', ctx);
    const token = emu.scenario.registries.get(REGISTRIES.contoso)?.tokens[0];
    const authFile = await writeAuthFile(join(await mkdtemp(join(emu.dir, 'token-')), 'auth.json'), {
      [REGISTRIES.contoso]: { username: token?.username ?? '', password: token?.password ?? '' },
    });
    const env = emu.env();
    expect(
      (await skopeoInspect(`${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`, { env, authFile })).code,
    ).toBe(0);
    const push = await skopeoPush(`${REGISTRIES.contoso}/hello:latest`, `${REGISTRIES.contoso}/hello:token`, {
      env,
      authFile,
    });
    expect(push.code).not.toBe(0);
  });

  test.for([
    ['spSecret (push role) may push', 'spSecret', true],
    ['spPullOnly (pull role) may not push', 'spPullOnly', false],
  ] as const)('%s with its refresh token', async ([, appName, allowed], ctx) => {
    requireTool('skopeo', ctx);
    const rt = await refreshToken(emu.scenario.apps[appName]);
    const authFile = await writeAuthFile(join(await mkdtemp(join(emu.dir, `${appName}-`)), 'auth.json'), {
      [REGISTRIES.contoso]: { username: REFRESH_TOKEN_USERNAME, password: rt },
    });
    const env = emu.env();
    const target = `${REGISTRIES.contoso}/${HELLO_REPOSITORY}:${appName.toLowerCase()}`;
    const push = await skopeoPush(`${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`, target, {
      env,
      authFile,
    });
    expect(push.code === 0).toBe(allowed);
    if (!allowed) expect(push.stderr).toMatch(/denied|unauthorized/i);
    expect((await skopeoInspect(target, { env, authFile })).code === 0).toBe(allowed);
  });

  test('docker login succeeds with a refresh token and fails with a bad one', async (ctx) => {
    requireTool('docker', ctx);
    const rt = await refreshToken(emu.scenario.apps.spSecret);
    const configDir = await mkdtemp(join(emu.dir, 'docker-'));
    const ok = await dockerLogin(REGISTRIES.contoso, REFRESH_TOKEN_USERNAME, rt, {
      env: emu.env(),
      configDir,
    });
    expect(ok.stdout).toContain('Login Succeeded');
    const config = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8'));
    expect(Buffer.from(config.auths[REGISTRIES.contoso].auth, 'base64').toString()).toBe(
      `${REFRESH_TOKEN_USERNAME}:${rt}`,
    );
    const badDir = await mkdtemp(join(emu.dir, 'docker-bad-'));
    const bad = await dockerLogin(REGISTRIES.contoso, REFRESH_TOKEN_USERNAME, `${rt.slice(0, -4)}AAAA`, {
      env: emu.env(),
      configDir: badDir,
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/unauthorized/i);
  });

  test.for([
    [REGISTRIES.public, true],
    [REGISTRIES.contoso, false],
  ])('anonymous pull from %s: allowed %s', async ([registry, allowed], ctx) => {
    requireTool('skopeo', ctx);
    const authFile = await writeAuthFile(join(await mkdtemp(join(emu.dir, 'anon-')), 'auth.json'), {});
    const result = await skopeoInspect(`${registry}/${HELLO_REPOSITORY}:latest`, {
      env: emu.env(),
      authFile,
    });
    expect(result.code === 0).toBe(allowed);
  });

  test('a host the emulator does not serve is unreachable through the proxy', async (ctx) => {
    requireTool('skopeo', ctx);
    const result = await skopeoInspect('example.com/hello:latest', { env: emu.env() });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Bad Gateway');
  });
});

describe('fault injection', () => {
  test('429 with Retry-After, then success', async () => {
    emu.resetRequests();
    emu.fault({ host: REGISTRIES.contoso, pathPrefix: '/oauth2/exchange', status: 429, retryAfter: 2 });
    try {
      const accessToken = await entraToken(emu.scenario.apps.spSecret);
      const first = await exchange(REGISTRIES.contoso, accessToken);
      expect(first.status).toBe(429);
      expect(first.headers['retry-after']).toBe('2');
      expect((await exchange(REGISTRIES.contoso, accessToken)).status).toBe(200);
      expect(emu.count({ host: REGISTRIES.contoso, path: '/oauth2/exchange' })).toBe(2);
      expect(emu.count({ host: REGISTRIES.contoso, path: '/oauth2/exchange', status: 429 })).toBe(1);
    } finally {
      emu.clearFaults();
    }
  });

  test('a reset connection, then success', async () => {
    emu.fault({
      host: AUTHORITY_HOSTS.AzureCloud,
      pathPrefix: `/${emu.scenario.tenantId}/oauth2`,
      reset: true,
    });
    try {
      await expect(send(tokenUrl(), { form: { grant_type: 'client_credentials' } })).rejects.toThrow();
      expect(await entraToken(emu.scenario.apps.spSecret)).toMatch(/^ey/);
    } finally {
      emu.clearFaults();
    }
  });
});
