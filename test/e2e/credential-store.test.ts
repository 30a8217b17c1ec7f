import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createGpgKey,
  createPassStore,
  type GpgKey,
  type PassStore,
  stopAgent,
} from '../../packages/core/test/clients/pass-store.ts';
import { type Emulator, HELLO_REPOSITORY, REGISTRIES, startEmulator } from '../emulator/index.ts';
import {
  ACTION_MAIN,
  ACTION_POST,
  inputEnv,
  type Job,
  maskViolations,
  newJob,
  runStep,
  type StepResult,
  stateEnv,
} from '../support/actions-runner.ts';
import { expectToolsInCi, skopeoInspect, writeAuthFile } from '../support/clients.ts';

/**
 * A Docker config whose credentials belong to a real credential store: `docker-credential-pass` over `pass`
 * with a throwaway GPG key. The user's own credential for the registry must come back after login + logout.
 */

const TOOLS = ['docker', 'docker-credential-pass', 'pass', 'gpg', 'docker-credential-ecr-login', 'skopeo'];

let emulator: Emulator;
/** One GPG key for the file's password stores: generating keys is the slow part. */
let key: GpgKey;
beforeAll(async () => {
  expectToolsInCi(TOOLS);
  emulator = await startEmulator();
  key = await createGpgKey(emulator.dir);
});
afterAll(async () => {
  // gpg starts an agent per GPG home: stop it before the directory goes.
  await key?.stop();
  await emulator?.stop();
});

const server = REGISTRIES.contoso;
const hello = `${server}/${HELLO_REPOSITORY}:latest`;

/** What the user had in the store before the job: a credential of their own, unrelated to Azure. */
const USER_CREDENTIAL = {
  ServerURL: server,
  Username: 'alice@contoso.example',
  Secret: 'alice-own-p@ss "with" quotes\\and\tspecials',
};

/** A password store of the job's own, in its folder. */
function passStore(job: Job): Promise<PassStore> {
  return createPassStore(job.dir, key, job.home);
}

async function storedFor(store: PassStore, key: string) {
  return store.helper('get', key);
}

/** A Docker config as `docker login` leaves it with a credential store: an empty marker in `auths`. */
async function dockerConfig(job: Job, routing: object): Promise<string> {
  const text = `${JSON.stringify({ auths: { [server]: {} }, ...routing }, null, '\t')}\n`;
  await mkdir(dirname(job.dockerConfig), { recursive: true });
  await writeFile(job.dockerConfig, text, { mode: 0o600 });
  return text;
}

function inputs(): Record<string, string> {
  const app = emulator.scenario.apps.spSecret;
  return {
    registry: 'contoso',
    'client-id': app.clientId,
    'tenant-id': emulator.scenario.tenantId,
    'client-secret': app.secret ?? '',
  };
}

async function main(job: Job, store: Pick<PassStore, 'env'>): Promise<StepResult> {
  return runStep(ACTION_MAIN, job, { ...emulator.env(), ...store.env, ...inputEnv(inputs()) });
}

async function post(
  job: Job,
  store: Pick<PassStore, 'env'>,
  state: Record<string, string>,
): Promise<StepResult> {
  return runStep(ACTION_POST, job, { ...emulator.env(), ...store.env, ...stateEnv(state) });
}

describe.each([
  ['credsStore', { credsStore: 'pass' }, USER_CREDENTIAL],
  ['credHelpers', { credHelpers: { [server]: 'pass' } }, USER_CREDENTIAL],
  // pass keeps one entry per user name and answers with the first in sort order: this one sorts first.
  [
    'a user name sorting before the ACR one',
    { credsStore: 'pass' },
    { ...USER_CREDENTIAL, Username: '0-build-bot' },
  ],
])('the user credential in pass survives login and logout (%s)', (_name, routing, userCredential) => {
  test('docker uses the ACR token during the job; the user credential is back afterwards, byte for byte', async () => {
    const job = await newJob(emulator.dir);
    const store = await passStore(job);
    const saved = await store.helper('store', JSON.stringify(userCredential));
    expect(saved.code, saved.stdout + saved.stderr).toBe(0);
    const before = await storedFor(store, server);
    expect(JSON.parse(before.stdout)).toEqual(userCredential);
    const list = await store.helper('list', '');
    const config = await dockerConfig(job, routing);

    const step = await main(job, store);
    expect(step.stdout + step.stderr).not.toContain('::error::');
    expect(step.code).toBe(0);
    const password = step.outputs.password ?? '';
    // The user's secret travels in the saved state: it is masked before anything could print it.
    expect(maskViolations(step.stdout + step.stderr, [password, userCredential.Secret])).toEqual([]);

    // Docker now holds the ACR credential in pass, and it works for a pull.
    const during = JSON.parse((await storedFor(store, server)).stdout) as typeof userCredential;
    expect(during).toMatchObject({ Username: step.outputs.username, Secret: password });
    const authFile = await writeAuthFile(join(job.dir, 'auth.json'), {
      [server]: { username: during.Username, password: during.Secret },
    });
    const pulled = await skopeoInspect(hello, { env: emulator.env({ HOME: job.home }), authFile });
    expect(pulled.code, pulled.stderr).toBe(0);

    const after = await post(job, store, step.state);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).not.toContain('::warning::');
    expect(after.stdout + after.stderr).not.toContain(userCredential.Secret);
    expect(await storedFor(store, server)).toEqual(before);
    expect(await store.helper('list', '')).toEqual(list);
    // docker login rewrote the job's copy of the config, which the step logged in to; both are back.
    expect(step.outputs['docker-config']).toBe(job.files.docker);
    expect(await readFile(job.files.docker, 'utf8')).toBe(config);
    expect(await readFile(job.dockerConfig, 'utf8')).toBe(config);
  });
});

test('with no earlier credential in pass, logout leaves none behind', async () => {
  const job = await newJob(emulator.dir);
  const store = await passStore(job);
  await mkdir(dirname(job.dockerConfig), { recursive: true });
  await writeFile(job.dockerConfig, '{"credsStore": "pass"}\n', { mode: 0o600 });

  const step = await main(job, store);
  expect(step.code, step.stdout).toBe(0);
  expect(JSON.parse((await storedFor(store, server)).stdout)).toMatchObject({
    Secret: step.outputs.password,
  });
  const after = await post(job, store, step.state);
  expect(after.code, after.stdout).toBe(0);
  expect(after.stdout).not.toContain('::warning::');
  expect((await store.helper('list', '')).stdout.trim()).toBe('{}');
});

describe('helpers that cannot hold the credential fail the step and change nothing', () => {
  test('a helper that is not installed is named, with the fix', async () => {
    const job = await newJob(emulator.dir);
    const store = await passStore(job);
    const config = await dockerConfig(job, { credsStore: 'desktop' });
    const step = await main(job, store);
    expect(step.code).toBe(1);
    const [first] = step.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    expect(first).toMatch(/"docker-credential-desktop" is not installed or not on PATH/);
    expect(first).toMatch(/Install docker-credential-desktop/);
    expect(await readFile(job.dockerConfig, 'utf8')).toBe(config);
    expect(await readFile(job.files.docker, 'utf8')).toBe(config);
  });

  test('ecr-login, which cannot store a credential for another registry', async () => {
    const job = await newJob(emulator.dir);
    const store = await passStore(job);
    const config = await dockerConfig(job, { credHelpers: { [server]: 'ecr-login' } });
    const step = await main(job, store);
    expect(step.code).toBe(1);
    const [first] = step.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    expect(first).toMatch(/"docker-credential-ecr-login" cannot store credentials.*not implemented/);
    expect(await readFile(job.dockerConfig, 'utf8')).toBe(config);
    expect(await readFile(job.files.docker, 'utf8')).toBe(config);
  });

  test('a store that cannot decrypt the user credential (no GPG key) is not logged in over', async () => {
    const job = await newJob(emulator.dir);
    const store = await passStore(job);
    expect((await store.helper('store', JSON.stringify(USER_CREDENTIAL))).code).toBe(0);
    const before = await storedFor(store, server);
    // The job's GPG home lacks the key the store is encrypted to: pass lists the entry but cannot read it.
    const lockedHome = join(job.dir, 'gnupg-without-key');
    await mkdir(lockedHome, { mode: 0o700 });
    const locked = { env: { ...store.env, GNUPGHOME: lockedHome } };
    const config = await dockerConfig(job, { credsStore: 'pass' });
    const step = await main(job, locked);
    await stopAgent(lockedHome);
    expect(step.code).toBe(1);
    const [first] = step.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    expect(first).toMatch(
      /could not read the credential "docker-credential-pass" holds for "contoso\.azurecr\.io"/,
    );
    expect(first).toContain('No secret key');
    expect(await readFile(job.dockerConfig, 'utf8')).toBe(config);
    expect(await readFile(job.files.docker, 'utf8')).toBe(config);
    expect(await storedFor(store, server)).toEqual(before);
  });
});
