/**
 * `npm run bench`: runs the committed action bundle end to end on the emulator several times and prints the
 * median wall time and peak memory for one registry and for ten, next to a floor (plain Node doing the same
 * round trips and file write) and, when the Azure CLI is installed, `az login --service-principal` +
 * `az acr login --expose-token` (a fresh Azure CLI config directory each run, like a fresh CI job).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Emulator, startEmulator } from '../test/emulator/index.ts';
import { inputEnv, newJob } from '../test/support/actions-runner.ts';
import { BUNDLES } from '../test/support/bundles.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const NODE = process.env.ACR_LOGIN_TEST_NODE ?? process.execPath;
/** az takes seconds per run: fewer runs are enough to see the difference. */
const AZ_RUNS = Math.min(RUNS, 3);
/** GNU time reports the peak RSS of a process that does not preload rss.cjs. */
const GNU_TIME = '/usr/bin/time';

interface Sample {
  readonly ms: number;
  readonly rssMb: number;
}

type Run = [command: string, args: string[], env: Record<string, string>, stdin?: string];

async function measure(
  command: string,
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<Sample> {
  const rssFile = join(env.HOME ?? '/tmp', `rss-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const code = await new Promise<number>((done, fail) => {
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', ...env, BENCH_RSS_FILE: rssFile },
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'inherit'],
    });
    child.once('error', fail);
    child.once('close', (status) => done(status ?? -1));
    child.stdin?.end(stdin);
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
  // One line per measured process; a run of several processes counts its largest.
  const lines = (await readFile(rssFile, 'utf8').catch(() => '0')).trim().split('\n');
  const rssKb = Math.max(...lines.map(Number));
  return { ms, rssMb: rssKb / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function series(name: string, make: () => Promise<Run>, runs = RUNS) {
  const samples: Sample[] = [];
  for (let i = 0; i <= runs; i++) {
    const [command, args, env, stdin] = await make();
    const sample = await measure(command, args, env, stdin);
    if (i > 0) samples.push(sample); // the first run warms the page cache
  }
  return { name, ms: median(samples.map((s) => s.ms)), rssMb: Math.max(...samples.map((s) => s.rssMb)) };
}

async function actionRun(emulator: Emulator, registries: readonly string[]) {
  const job = await newJob(emulator.dir);
  const app = emulator.scenario.apps.spSecret;
  const env = {
    ...job.env,
    ...emulator.env(),
    ...inputEnv({
      registry: registries.join('\n'),
      'client-id': app.clientId,
      'tenant-id': emulator.scenario.tenantId,
      'client-secret': app.secret ?? '',
    }),
  };
  return [NODE, ['--require', join(ROOT, 'scripts/bench/rss.cjs'), BUNDLES.action.main], env] as [
    string,
    string[],
    Record<string, string>,
  ];
}

interface Helper {
  readonly shim: string;
  readonly stateFile: string;
  readonly env: Record<string, string>;
  readonly server: string;
}

/** A login with `renew: true`, whose credential helper the next two series ask. */
async function renewingLogin(emulator: Emulator, server: string): Promise<Helper> {
  const [command, args, env] = await actionRun(emulator, [server]);
  const pathFile = join(env.RUNNER_TEMP ?? '', '..', 'path');
  await writeFile(pathFile, '');
  await measure(command, args, { ...env, GITHUB_PATH: pathFile, INPUT_RENEW: 'true' });
  const binDir = (await readFile(pathFile, 'utf8')).trim();
  const helper = binDir.split('/').at(-2) ?? '';
  return {
    shim: join(binDir, `docker-credential-${helper}`),
    stateFile: join(binDir, '..', 'state.json'),
    env: emulator.env({ HOME: env.HOME ?? '' }),
    server,
  };
}

/** One `get`: served from the cache, or with every token made due first, so it renews (Entra + exchange). */
async function helperGet(helper: Helper, renew: boolean): Promise<Run> {
  if (renew) {
    const state = JSON.parse(await readFile(helper.stateFile, 'utf8'));
    for (const token of Object.values(state.servers) as { expiresOn: number; obtainedAt: number }[]) {
      token.obtainedAt = Date.now() - 3_600_000;
      token.expiresOn = Date.now() + 60_000;
    }
    await writeFile(helper.stateFile, JSON.stringify(state), { mode: 0o600 });
  }
  return [helper.shim, ['get'], helper.env, helper.server];
}

async function floorRun(emulator: Emulator, registries: readonly string[]) {
  const home = await mkdtemp(join(emulator.dir, 'floor-'));
  const app = emulator.scenario.apps.spSecret;
  const env = {
    ...emulator.env(),
    HOME: home,
    FLOOR_REGISTRIES: registries.join(','),
    FLOOR_TENANT: emulator.scenario.tenantId,
    FLOOR_CLIENT_ID: app.clientId,
    FLOOR_SECRET: app.secret ?? '',
  };
  return [
    NODE,
    ['--require', join(ROOT, 'scripts/bench/rss.cjs'), join(ROOT, 'scripts/bench/floor.mjs')],
    env,
  ] as [string, string[], Record<string, string>];
}

/** `az login --service-principal` then `az acr login --expose-token`, from a fresh config directory. */
async function azRun(emulator: Emulator, registry: string) {
  const app = emulator.scenario.apps.spSecret;
  const env = {
    ...emulator.env(),
    HOME: await mkdtemp(join(emulator.dir, 'az-')),
    AZURE_CONFIG_DIR: await mkdtemp(join(emulator.dir, 'azure-')),
    // Python requests (under az) reads its CA bundle from here, not from SSL_CERT_FILE.
    REQUESTS_CA_BUNDLE: emulator.caFile,
    AZURE_CORE_COLLECT_TELEMETRY: 'false',
    AZ_CLIENT_ID: app.clientId,
    AZ_SECRET: app.secret ?? '',
    AZ_TENANT: emulator.scenario.tenantId,
    AZ_REGISTRY: registry.split('.')[0] ?? registry,
  };
  const timed = existsSync(GNU_TIME) ? `${GNU_TIME} -f %M -a -o "$BENCH_RSS_FILE" ` : '';
  const script = [
    `${timed}az login --service-principal -u "$AZ_CLIENT_ID" "--password=$AZ_SECRET" --tenant "$AZ_TENANT" --allow-no-subscriptions -o none`,
    `${timed}az acr login --name "$AZ_REGISTRY" --expose-token -o none --only-show-errors`,
  ].join(' && ');
  return ['sh', ['-c', script], env] as [string, string[], Record<string, string>];
}

function fmt(value: number, digits = 0): string {
  return value.toFixed(digits).padStart(8);
}

const emulator = await startEmulator({ extraRegistries: 10 });
try {
  const one = emulator.scenario.extraRegistries.slice(0, 1);
  const ten = emulator.scenario.extraRegistries.slice(0, 10);
  console.log(
    `acr-login benchmark: ${RUNS} runs each (median wall time, peak RSS), ${NODE} ${process.version}`,
  );
  const rows = [
    await series('floor, 1 registry', () => floorRun(emulator, one)),
    await series('acr-login, 1 registry', () => actionRun(emulator, one)),
    await series('floor, 10 registries', () => floorRun(emulator, ten)),
    await series('acr-login, 10 registries', () => actionRun(emulator, ten)),
  ];
  const helper = await renewingLogin(emulator, one[0] ?? '');
  const cached = await series('helper get, cached', () => helperGet(helper, false));
  const renewed = await series('helper get, renewing', () => helperGet(helper, true));
  rows.push(cached, renewed);
  if (spawnSync('sh', ['-c', 'command -v az'], { stdio: 'ignore' }).status === 0) {
    rows.push(await series(`az, 1 registry (${AZ_RUNS} runs)`, () => azRun(emulator, one[0] ?? ''), AZ_RUNS));
  } else {
    console.log(
      'az: not installed, so "az login --service-principal" + "az acr login --expose-token" is not measured.',
    );
  }
  console.log(`\n${'scenario'.padEnd(28)}${'ms'.padStart(8)}${'RSS MB'.padStart(8)}`);
  for (const row of rows) {
    const rss = row.rssMb > 0 ? fmt(row.rssMb, 1) : '-'.padStart(8);
    console.log(`${row.name.padEnd(28)}${fmt(row.ms)}${rss}`);
  }
  const [floor1, action1, , action10] = rows;
  if (floor1 && action1 && action10) {
    const checks = [
      [`1 registry within 1.5x the floor`, action1.ms / floor1.ms, 1.5],
      [`10 registries within 1.3x one`, action10.ms / action1.ms, 1.3],
      [`peak RSS under 120 MB`, Math.max(action1.rssMb, action10.rssMb) / 120, 1],
      [`cached helper get under 60 ms`, cached.ms / 60, 1],
    ] as const;
    console.log('');
    for (const [label, ratio, limit] of checks) {
      console.log(`${ratio <= limit ? 'met   ' : 'MISSED'} ${label} (ratio ${ratio.toFixed(2)})`);
    }
  }
} finally {
  await emulator.stop();
  await rm(join(emulator.dir), { recursive: true, force: true }).catch(() => {});
}
