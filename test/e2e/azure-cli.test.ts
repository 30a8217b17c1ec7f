import { mkdtemp, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AcrLoginError, type Environment, login, planLogin } from '../../packages/core/src/index.ts';
import {
  ACR_AUDIENCE,
  type Emulator,
  HELLO_REPOSITORY,
  REFRESH_TOKEN_USERNAME,
  REGISTRIES,
  startEmulator,
} from '../emulator/index.ts';
import { type RunResult, requireTool, run, skopeoInspect } from '../support/clients.ts';

/**
 * `auth-type: azure-cli` with the real `az` against the emulator. AzureCliCredential runs `az` with this
 * process's environment, so this file points process.env at the emulator (each test file runs in its own
 * process) and at an Azure CLI config directory per test, and restores it afterwards.
 */

let emulator: Emulator;
const AZ_ENV_NAMES = [
  'AZURE_CONFIG_DIR',
  'AZURE_CORE_COLLECT_TELEMETRY',
  'HTTPS_PROXY',
  'https_proxy',
  'NO_PROXY',
  'no_proxy',
  'REQUESTS_CA_BUNDLE',
] as const;
const saved = new Map(AZ_ENV_NAMES.map((name) => [name, process.env[name]]));

beforeAll(async () => {
  emulator = await startEmulator();
  const env = emulator.env();
  Object.assign(process.env, {
    HTTPS_PROXY: env.HTTPS_PROXY,
    https_proxy: env.https_proxy,
    NO_PROXY: env.NO_PROXY,
    no_proxy: env.no_proxy,
    // Python requests (under az) reads its CA bundle from here, not from SSL_CERT_FILE.
    REQUESTS_CA_BUNDLE: emulator.caFile,
    AZURE_CORE_COLLECT_TELEMETRY: 'false',
  });
});
afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await emulator?.stop();
});

/** A fresh Azure CLI config directory, made the one `az` (and AzureCliCredential) uses. */
async function useConfigDir(): Promise<string> {
  const dir = await mkdtemp(join(emulator.dir, 'azure-'));
  process.env.AZURE_CONFIG_DIR = dir;
  return dir;
}

/** `az` with this process's environment (the emulator's proxy and CA, the current config directory). */
function az(args: readonly string[]): Promise<RunResult> {
  const env: Record<string, string> = {};
  for (const name of AZ_ENV_NAMES) env[name] = process.env[name] ?? '';
  return run('az', args, { env: { ...env, HOME: emulator.dir } });
}

function azLogin(): Promise<RunResult> {
  const app = emulator.scenario.apps.spSecret;
  return az([
    'login',
    '--service-principal',
    '--username',
    app.clientId,
    // One argument: a secret that starts with "-" would otherwise be read as an option.
    `--password=${app.secret ?? ''}`,
    '--tenant',
    emulator.scenario.tenantId,
    '--allow-no-subscriptions',
    '--output',
    'none',
  ]);
}

async function coreLogin() {
  const home = await mkdtemp(join(emulator.dir, 'home-'));
  const env = { HOME: home };
  const masked: string[] = [];
  const environment: Environment = {
    logger: { debug: () => {}, info: () => {}, warning: () => {}, mask: (s) => masked.push(s) },
    env,
    dispatcher: emulator.dispatcher(),
    sleep: async () => {},
  };
  const plan = planLogin({ registry: 'contoso', authType: 'azure-cli' }, { oidcAvailable: false, env });
  const result = await login(plan, environment).catch((e: unknown) => e);
  return { home, dockerConfig: join(home, '.docker', 'config.json'), result, masked };
}

test('after "az login", core logs in with the CLI session and skopeo pulls with the Docker config', async (context) => {
  requireTool('az', context);
  await useConfigDir();
  const loggedIn = await azLogin();
  expect(loggedIn.code, loggedIn.stderr).toBe(0);
  emulator.resetRequests();

  const { home, dockerConfig, result, masked } = await coreLogin();

  expect(result).not.toBeInstanceOf(Error);
  expect(result).toMatchObject({
    credentials: [{ loginServer: REGISTRIES.contoso, username: REFRESH_TOKEN_USERNAME }],
    dockerConfig,
  });
  // The Entra token came from `az` (client credentials of the logged-in app) for the ACR audience.
  const app = emulator.scenario.apps.spSecret;
  expect(
    emulator.count({
      service: 'entra',
      form: { client_id: app.clientId, scope: `${ACR_AUDIENCE}/.default` },
    }),
  ).toBe(1);
  expect(emulator.count({ service: 'acr', path: '/oauth2/exchange', status: 200 })).toBe(1);
  expect(masked.length).toBeGreaterThan(0);

  const pulled = await skopeoInspect(`${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`, {
    env: emulator.env({ HOME: home }),
    authFile: dockerConfig,
  });
  expect(pulled.code, pulled.stderr).toBe(0);
  expect(JSON.parse(pulled.stdout)).toMatchObject({ Name: `${REGISTRIES.contoso}/${HELLO_REPOSITORY}` });
});

test('without "az login": AZURE_CLI_FAILED telling the user to run "az login", no Docker config', async (context) => {
  requireTool('az', context);
  await useConfigDir();

  const { dockerConfig, result } = await coreLogin();

  expect(result).toBeInstanceOf(AcrLoginError);
  expect(result).toMatchObject({ code: 'AZURE_CLI_FAILED', input: 'authType' });
  expect((result as Error).message).toContain('Run "az login"');
  await expect(stat(dockerConfig)).rejects.toMatchObject({ code: 'ENOENT' });
});

test('"az acr login --expose-token" gets a registry access token from the emulator', async (context) => {
  requireTool('az', context);
  await useConfigDir();
  const loggedIn = await azLogin();
  expect(loggedIn.code, loggedIn.stderr).toBe(0);

  const exposed = await az(['acr', 'login', '--name', 'contoso', '--expose-token', '--output', 'json']);

  expect(exposed.code, exposed.stderr).toBe(0);
  const { loginServer, accessToken } = JSON.parse(exposed.stdout) as Record<string, string>;
  expect(loginServer).toBe(REGISTRIES.contoso);
  expect(decodeJwt(accessToken ?? '')).toMatchObject({ aud: REGISTRIES.contoso });
  // Found by name through ARM (an empty tenant), then the login server's own endpoints.
  expect(emulator.count({ service: 'arm', status: 200 })).toBeGreaterThanOrEqual(2);
});
