// One acr-login process for the concurrency and crash tests: `node --import tsx worker.ts <login|logout>
// <configDir> <server> <stateFile> [step]`. It prints "ready" and waits for a line on stdin, so that every
// worker starts its write at the same moment. Given a step (see STEPS in src/clients/fs.ts), it prints
// "paused at <step>" on reaching it and waits there for the test to kill it.
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { writeClientLogins } from '../../src/clients/client-logins.ts';
import { setStepHook } from '../../src/clients/fs.ts';
import type { WrittenEntry } from '../../src/clients/login-entry.ts';
import { removeClientLogins } from '../../src/clients/remove-client-logins.ts';
import { nullLogger } from '../../src/types.ts';

const [mode, configDir, server, stateFile, pauseAt] = process.argv.slice(2);
if (mode === undefined || configDir === undefined || server === undefined || stateFile === undefined) {
  throw new Error('usage: worker.ts <login|logout> <configDir> <server> <stateFile> [step]');
}
if (pauseAt !== undefined) {
  setStepHook(async (step) => {
    if (step !== pauseAt) return;
    process.stdout.write(`paused at ${step}\n`);
    // Keep the process alive until it is killed.
    setInterval(() => {}, 60_000);
    await new Promise(() => {});
  });
}
const options = {
  env: { ...process.env, DOCKER_CONFIG: configDir },
  logger: nullLogger,
  lockTimeoutMs: 30_000,
};

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
await new Promise((resolve) => lines.once('line', resolve));
lines.close();

if (mode === 'login') {
  const login = { loginServer: server, username: 'worker', password: `secret-of-${server}` };
  const { entries } = await writeClientLogins(['docker'], [login], options);
  await writeFile(stateFile, JSON.stringify(entries));
} else {
  const entries = JSON.parse(await readFile(stateFile, 'utf8')) as WrittenEntry[];
  const outcome = await removeClientLogins(entries, options);
  if (outcome.removed !== 1) throw new Error(`expected one removal, got ${JSON.stringify(outcome)}`);
}
