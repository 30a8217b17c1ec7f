import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { removePullSecret, writePullSecret } from '../../packages/core/src/clients/pull-secret.ts';
import { type Environment, login, planLogin } from '../../packages/core/src/index.ts';
import { nullLogger } from '../../packages/core/src/types.ts';
import { type Emulator, HELLO_REPOSITORY, REGISTRIES, startEmulator } from '../emulator/index.ts';
import { expectToolsInCi, requireTool, run, skopeoInspect } from '../support/clients.ts';

/**
 * The Kubernetes pull secret: the real kubectl builds the Secret from the file, and the decoded
 * `.dockerconfigjson` lets skopeo pull from the emulator. The file holds only this login's registries.
 */

let emulator: Emulator;
let dispatcher: Dispatcher;

beforeAll(async () => {
  expectToolsInCi(['kubectl', 'skopeo']);
  emulator = await startEmulator();
  dispatcher = emulator.dispatcher();
});
afterAll(async () => {
  await dispatcher?.close();
  await emulator?.stop();
});

const OTHER = 'other.example';
const kubectl = (args: readonly string[], home: string) => run('kubectl', args, { env: { HOME: home } });

test('kubectl builds the secret; skopeo pulls with it; only this login; 0600; removed', async (ctx) => {
  requireTool('kubectl', ctx);
  requireTool('skopeo', ctx);
  const home = await mkdtemp(join(emulator.dir, 'home-'));
  const jobTemp = await mkdtemp(join(emulator.dir, 'runner-temp-'));
  // The Docker config already holds another registry's credential: the pull secret must not carry it.
  await mkdir(join(home, '.docker'));
  await writeFile(
    join(home, '.docker', 'config.json'),
    JSON.stringify({ auths: { [OTHER]: { auth: Buffer.from('other:secret').toString('base64') } } }),
    { mode: 0o600 },
  );
  const env = { HOME: home, XDG_RUNTIME_DIR: join(home, 'run'), XDG_CONFIG_HOME: join(home, '.config') };
  const app = emulator.scenario.apps.spSecret;
  const plan = planLogin(
    {
      registry: 'contoso',
      clientId: app.clientId,
      tenantId: emulator.scenario.tenantId,
      clientSecret: app.secret ?? '',
    },
    { oidcAvailable: false, env },
  );
  const environment: Environment = { logger: nullLogger, env, dispatcher, sleep: async () => {} };
  const result = await login(plan, environment);

  const file = await writePullSecret(jobTemp, result.credentials);
  if (file === undefined) throw new Error('no pull secret file');
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  const written = JSON.parse(await readFile(file, 'utf8'));
  expect(Object.keys(written.auths)).toEqual([REGISTRIES.contoso]);
  expect(JSON.stringify(written)).not.toContain(OTHER);

  const created = await kubectl(
    [
      'create',
      'secret',
      'generic',
      'acr-pull',
      '--type=kubernetes.io/dockerconfigjson',
      `--from-file=.dockerconfigjson=${file}`,
      '--dry-run=client',
      '-o',
      'json',
    ],
    home,
  );
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  const secret = JSON.parse(created.stdout);
  expect(secret).toMatchObject({
    kind: 'Secret',
    type: 'kubernetes.io/dockerconfigjson',
    metadata: { name: 'acr-pull' },
  });
  const decoded = Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString('utf8');
  expect(JSON.parse(decoded)).toEqual(written);

  // What a kubelet would do with the Secret: pull with the decoded config, nothing else on the machine.
  const authFile = join(await mkdtemp(join(emulator.dir, 'kubelet-')), 'config.json');
  await writeFile(authFile, decoded, { mode: 0o600 });
  const pulled = await skopeoInspect(`${REGISTRIES.contoso}/${HELLO_REPOSITORY}:latest`, {
    env: emulator.env({ HOME: await mkdtemp(join(emulator.dir, 'empty-home-')) }),
    authFile,
  });
  expect(pulled.stderr).toBe('');
  expect(pulled.code).toBe(0);

  // The README's ServiceAccount patch, applied locally to a manifest.
  const serviceAccount = join(home, 'sa.json');
  await writeFile(
    serviceAccount,
    JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }),
  );
  const patched = await kubectl(
    [
      'patch',
      '--local',
      '-f',
      serviceAccount,
      '-p',
      '{"imagePullSecrets":[{"name":"acr-pull"}]}',
      '-o',
      'json',
    ],
    home,
  );
  expect(patched.code, patched.stderr).toBe(0);
  expect(JSON.parse(patched.stdout).imagePullSecrets).toEqual([{ name: 'acr-pull' }]);

  // The post step's removal.
  expect(await removePullSecret(file)).toBe(true);
  await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
});
