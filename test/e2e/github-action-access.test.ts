import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
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
import { expectToolsInCi, requireTool, run, skopeoInspect } from '../support/clients.ts';

/**
 * The bundled Action with `repositories`: the access check, its outputs and summary, the pull secret file
 * and its removal by the post step.
 */

let emulator: Emulator;
beforeAll(async () => {
  expectToolsInCi(['skopeo', 'kubectl']);
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

function main(job: Job, inputs: Record<string, string>): Promise<StepResult> {
  return runStep(ACTION_MAIN, job, { ...emulator.env(), ...inputEnv(inputs) });
}

function post(job: Job, state: Record<string, string>): Promise<StepResult> {
  return runStep(ACTION_POST, job, { ...emulator.env(), ...stateEnv(state) });
}

function sp(name: 'spSecret' | 'spPullOnly') {
  const app = emulator.scenario.apps[name];
  return {
    'client-id': app.clientId,
    'tenant-id': emulator.scenario.tenantId,
    'client-secret': app.secret ?? '',
  };
}

test('everything granted: access output, summary table, pull secret kubectl and skopeo use, removed by post', async (ctx) => {
  requireTool('kubectl', ctx);
  requireTool('skopeo', ctx);
  const job = await newJob(emulator.dir);
  const step = await main(job, {
    registry: `contoso\n${REGISTRIES.abac}`,
    ...sp('spSecret'),
    repositories: `${REGISTRIES.contoso}/app:push\n${REGISTRIES.abac}/${HELLO_REPOSITORY}`,
    'pull-secret': 'true',
  });
  expect(step.stdout + step.stderr).not.toContain('::error::');
  expect(step.code).toBe(0);
  expect(JSON.parse(step.outputs.access ?? '')).toEqual({
    [`${REGISTRIES.contoso}/app`]: ['pull', 'push'],
    [`${REGISTRIES.abac}/${HELLO_REPOSITORY}`]: ['pull', 'push'],
  });
  expect(step.stdout).toContain(`Repository access on ${REGISTRIES.contoso}: app pull, push`);
  expect(step.summary).toContain('Repository access');
  expect(step.summary).toMatch(
    new RegExp(`<td>${REGISTRIES.contoso}</td><td>app</td><td>pull, push</td><td>pull, push</td>`),
  );
  expect(step.summary).toMatch(
    new RegExp(`<td>${REGISTRIES.abac}</td><td>${HELLO_REPOSITORY}</td><td>pull</td><td>pull, push</td>`),
  );

  // The pull secret: in RUNNER_TEMP, 0600, holding these two registries and no other.
  const file = step.outputs['pull-secret-file'] ?? '';
  expect(dirname(file)).toBe(job.env.RUNNER_TEMP);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  const text = await readFile(file, 'utf8');
  expect(Object.keys(JSON.parse(text).auths).sort()).toEqual([REGISTRIES.abac, REGISTRIES.contoso].sort());
  // Every registry's password, each a real token: an empty one would pass the leak check vacuously.
  const auths = JSON.parse(text).auths as Record<string, { password: string }>;
  const passwords = Object.values(auths).map((entry) => entry.password);
  expect(passwords).toHaveLength(2);
  for (const password of passwords) expect(password).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(step.outputs.password).toBe(auths[REGISTRIES.contoso]?.password);
  expect(maskViolations(step.stdout + step.stderr + step.summary, passwords)).toEqual([]);

  const created = await run(
    'kubectl',
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
    { env: { HOME: job.home } },
  );
  expect(created.code, created.stderr).toBe(0);
  const decoded = Buffer.from(JSON.parse(created.stdout).data['.dockerconfigjson'], 'base64').toString(
    'utf8',
  );
  expect(decoded).toBe(text);
  const authFile = join(job.dir, 'kubelet-config.json');
  await writeFile(authFile, decoded, { mode: 0o600 });
  const pulled = await skopeoInspect(`${REGISTRIES.abac}/${HELLO_REPOSITORY}:latest`, {
    env: emulator.env({ HOME: job.dir }),
    authFile,
  });
  expect(pulled.code, pulled.stderr).toBe(0);

  const after = await post(job, step.state);
  expect(after.code, after.stdout).toBe(0);
  expect(after.stdout).toContain(`Removed the pull secret file ${file}`);
  await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
});

test('without pull-secret, no pull secret file is written and the output is empty', async () => {
  const job = await newJob(emulator.dir);
  const step = await main(job, { registry: 'contoso', ...sp('spSecret'), repositories: 'app:push' });
  expect(step.code, step.stdout).toBe(0);
  expect(step.outputs['pull-secret-file']).toBe('');
  const temp = job.env.RUNNER_TEMP ?? '';
  expect((await readdir(temp)).filter((name) => name.startsWith('acr-login-pull-secret-'))).toEqual([]);
  expect(step.stdout).not.toContain('pull secret');
});

test('a missing grant fails the step before any client file is written, naming AcrPush and the identity', async () => {
  const job = await newJob(emulator.dir);
  const step = await main(job, { registry: 'contoso', ...sp('spPullOnly'), repositories: 'app:push' });
  expect(step.code).not.toBe(0);
  const clientId = emulator.scenario.apps.spPullOnly.clientId;
  expect(step.stdout).toContain('::error::');
  expect(step.stdout).toContain('app: asked pull, push; granted pull');
  expect(step.stdout).toContain(`az role assignment create --assignee ${clientId} --role AcrPush`);
  expect(step.stdout).toContain('error code: ACR_ACCESS_MISSING');
  for (const file of [job.dockerConfig, job.files.docker]) {
    await expect(stat(file), file).rejects.toMatchObject({ code: 'ENOENT' });
  }
  expect(step.outputs['pull-secret-file']).toBeUndefined();
});

test('a bad repositories entry is an input error naming the input as action.yml does', async () => {
  const job = await newJob(emulator.dir);
  const step = await main(job, { registry: 'contoso', ...sp('spSecret'), repositories: 'App:latest' });
  expect(step.code).not.toBe(0);
  expect(step.stdout).toContain('"repositories" entry "App:latest"');
  expect(step.stdout).toContain('error code: INPUT_INVALID');
});
