import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LoginState } from '../../packages/core/src/login-result.ts';
import { createGpgKey, createPassStore, type GpgKey } from '../../packages/core/test/clients/pass-store.ts';
import { type Emulator, HELLO_REPOSITORY, REGISTRIES, startEmulator } from '../emulator/index.ts';
import {
  ACTION_MAIN,
  ACTION_POST,
  inputEnv,
  type Job,
  newJob,
  runStep,
  type StepResult,
  stateEnv,
} from '../support/actions-runner.ts';
import { expectToolsInCi, skopeoInspect, writeAuthFile } from '../support/clients.ts';

/**
 * Ten jobs on one machine and one HOME (a runner with several instances under one user), all logging in at
 * the same moment with `isolate-config: false`, so all of them edit the one Docker config under HOME. It
 * routes every registry to `docker-credential-pass` (real pass and gpg), so each login holds the config's
 * lock through the helper's `get`, `docker login` and the read-back: seconds each, far more than the ten
 * together would have had with a short lock wait.
 */

const COUNT = 10;
const TOOLS = ['docker', 'docker-credential-pass', 'pass', 'gpg', 'skopeo'];
const server = REGISTRIES.contoso;
const hello = `${server}/${HELLO_REPOSITORY}:latest`;

let emulator: Emulator;
let key: GpgKey;
beforeAll(async () => {
  expectToolsInCi(TOOLS);
  emulator = await startEmulator();
  key = await createGpgKey(emulator.dir);
});
afterAll(async () => {
  await key?.stop();
  await emulator?.stop();
});

interface Credential {
  readonly ServerURL: string;
  readonly Username: string;
  readonly Secret: string;
}

/** What the helper held for the server before this job's login, from the state the post step gets. */
function previousCredential(step: StepResult): Credential | null {
  const state = JSON.parse(step.state['login-state'] ?? '{}') as LoginState;
  const [entry] = state.entries.filter((item) => item.method === 'docker-cli');
  if (entry === undefined)
    throw new Error(`no credential-helper entry in the state: ${step.state['login-state']}`);
  return (entry.previous as { credential: Credential | null }).credential;
}

/**
 * The jobs in the order they held the lock: each found in the helper what the one before it stored. The first
 * found nothing.
 */
function lockOrder(mains: readonly StepResult[]): number[] {
  const order: number[] = [];
  let before: string | undefined;
  for (let turn = 0; turn < mains.length; turn++) {
    const next = mains.findIndex(
      (step, index) => !order.includes(index) && (previousCredential(step)?.Secret ?? undefined) === before,
    );
    if (next === -1) throw new Error(`no job found what job ${order.at(-1)} stored`);
    order.push(next);
    before = mains[next]?.outputs.password;
  }
  return order;
}

describe(`${COUNT} parallel logins on one Docker config whose credsStore is pass`, () => {
  test('all succeed, the helper serves the last one, and logouts in reverse give back the file and the store', {
    timeout: 300_000,
  }, async () => {
    const home = await mkdtemp(join(emulator.dir, 'shared-home-'));
    const dockerDir = join(home, '.docker');
    await mkdir(dockerDir);
    const file = join(dockerDir, 'config.json');
    // As `docker login` leaves a config with a credential store: an empty marker for the server.
    const original = `${JSON.stringify({ auths: { [server]: {} }, credsStore: 'pass' }, null, '\t')}\n`;
    await writeFile(file, original, { mode: 0o600 });
    const store = await createPassStore(home, key);
    const jobs: Job[] = [];
    for (let index = 0; index < COUNT; index++) {
      const job = await newJob(emulator.dir);
      job.env.HOME = home;
      jobs.push(job);
    }
    const app = emulator.scenario.apps.spSecret;
    const inputs = inputEnv({
      registry: 'contoso',
      'client-id': app.clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-secret': app.secret ?? '',
      'isolate-config': 'false',
    });

    const mains = await Promise.all(
      jobs.map((job) => runStep(ACTION_MAIN, job, { ...emulator.env(), ...store.env, ...inputs })),
    );
    for (const step of mains) {
      expect(step.stdout + step.stderr).not.toContain('::error::');
      expect(step.code, step.stdout).toBe(0);
      expect(step.outputs['docker-config']).toBe(file);
    }
    // No lock, candidate or temporary file left next to the config, which is still docker's.
    expect(await readdir(dockerDir)).toEqual(['config.json']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(JSON.parse(original));

    // The helper holds what the last holder of the lock stored, and docker's registry takes it.
    const order = lockOrder(mains);
    const last = mains[order.at(-1) ?? -1];
    const held = JSON.parse((await store.helper('get', server)).stdout) as Credential;
    expect(held).toMatchObject({ Username: last?.outputs.username, Secret: last?.outputs.password });
    const authFile = await writeAuthFile(join(home, 'auth.json'), {
      [server]: { username: held.Username, password: held.Secret },
    });
    const pulled = await skopeoInspect(hello, { env: emulator.env({ HOME: home }), authFile });
    expect(pulled.code, pulled.stderr).toBe(0);

    // Each post step finds its own credential and puts back what the job before it had stored.
    for (const index of [...order].reverse()) {
      const job = jobs[index] as Job;
      const post = await runStep(ACTION_POST, job, {
        ...emulator.env(),
        ...store.env,
        ...stateEnv((mains[index] as StepResult).state),
      });
      expect(post.code, post.stdout).toBe(0);
      expect(post.stdout).not.toContain('::warning::');
    }
    expect((await store.helper('list', '')).stdout.trim()).toBe('{}');
    expect(await readFile(file, 'utf8')).toBe(original);
    expect(await readdir(dockerDir)).toEqual(['config.json']);
  });
});
