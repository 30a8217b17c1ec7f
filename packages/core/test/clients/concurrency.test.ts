import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES, startWorker, tempDir } from './support.ts';

const COUNT = 20;

/** Start every worker, wait until all are ready, release them together, and collect their exits. */
async function runTogether(argsList: readonly (readonly string[])[]) {
  const workers = argsList.map(startWorker);
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) worker.child.stdin.end('go\n');
  return Promise.all(workers.map((worker) => worker.exit));
}

describe('20 processes on one Docker config', () => {
  test('all logins land, and all logouts give back the original file', { timeout: 120_000 }, async () => {
    const dir = await tempDir();
    const configDir = join(dir, 'docker');
    await mkdir(configDir);
    const file = join(configDir, 'config.json');
    await copyFile(join(FIXTURES, 'docker-config.txt'), file);
    const original = await readFile(file, 'utf8');
    const servers = Array.from({ length: COUNT }, (_, index) => `registry${index}.azurecr.io`);
    const stateFile = (index: number) => join(dir, `state-${index}.json`);

    const logins = await runTogether(
      servers.map((server, index) => ['login', configDir, server, stateFile(index)]),
    );
    expect(logins).toEqual(servers.map(() => ({ code: 0, stderr: '' })));

    const written = JSON.parse(await readFile(file, 'utf8')) as { auths: Record<string, unknown> };
    const originalConfig = JSON.parse(original) as { auths: Record<string, unknown> };
    expect(written).toEqual({
      ...originalConfig,
      auths: {
        ...originalConfig.auths,
        ...Object.fromEntries(
          servers.map((server) => [
            server,
            { auth: Buffer.from(`worker:secret-of-${server}`).toString('base64') },
          ]),
        ),
      },
    });

    const logouts = await runTogether(
      servers.map((server, index) => ['logout', configDir, server, stateFile(index)]),
    );
    expect(logouts).toEqual(servers.map(() => ({ code: 0, stderr: '' })));
    expect(await readFile(file, 'utf8')).toBe(original);
    // No lock or temporary file left behind.
    expect(await readdir(configDir)).toEqual(['config.json']);
  });
});
