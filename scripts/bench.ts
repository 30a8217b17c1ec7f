/**
 * `npm run bench`: runs the committed action bundle end to end on the emulator several times and prints the
 * median wall time and peak memory for one registry and for ten, next to a floor (plain Node doing the same
 * round trips and file write) and, when the Azure CLI is installed, `az login` + `az acr login --expose-token`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Emulator, startEmulator } from '../test/emulator/index.ts';
import { inputEnv, newJob } from '../test/support/actions-runner.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const NODE = process.env.ACR_LOGIN_TEST_NODE ?? process.execPath;

interface Sample {
  readonly ms: number;
  readonly rssMb: number;
}

async function measure(command: string, args: string[], env: Record<string, string>): Promise<Sample> {
  const rssFile = join(env.HOME ?? '/tmp', `rss-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const code = await new Promise<number>((done, fail) => {
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', ...env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', fail);
    child.once('close', (status) => done(status ?? -1));
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
  const rssKb = Number((await readFile(rssFile, 'utf8').catch(() => '0')).trim().split('\n').pop());
  return { ms, rssMb: rssKb / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function series(name: string, make: () => Promise<[string, string[], Record<string, string>]>) {
  const samples: Sample[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const [command, args, env] = await make();
    const sample = await measure(command, args, env);
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
  return [
    NODE,
    ['--require', join(ROOT, 'scripts/bench/rss.cjs'), join(ROOT, 'dist/github/main/index.js')],
    env,
  ] as [string, string[], Record<string, string>];
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
  if (spawnSync('sh', ['-c', 'command -v az'], { stdio: 'ignore' }).status === 0) {
    console.log('az is installed, but its comparison needs a reachable Azure: not run against the emulator.');
  } else {
    console.log(
      'az: not installed, so "az login --service-principal" + "az acr login --expose-token" is not measured.',
    );
  }
  console.log(`\n${'scenario'.padEnd(28)}${'ms'.padStart(8)}${'RSS MB'.padStart(8)}`);
  for (const row of rows) console.log(`${row.name.padEnd(28)}${fmt(row.ms)}${fmt(row.rssMb, 1)}`);
  const [floor1, action1, , action10] = rows;
  if (floor1 && action1 && action10) {
    const checks = [
      [`1 registry within 1.5x the floor`, action1.ms / floor1.ms, 1.5],
      [`10 registries within 1.3x one`, action10.ms / action1.ms, 1.3],
      [`peak RSS under 120 MB`, Math.max(action1.rssMb, action10.rssMb) / 120, 1],
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
