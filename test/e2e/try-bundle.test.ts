import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { expectToolsInCi, run } from '../support/clients.ts';

/**
 * docs/try-it.md's "Run the committed bundle yourself" block, run as it is written: the emulator started
 * by its script, the action's bundle run with the runner's variables, skopeo pulling with what it wrote.
 */

const ROOT = new URL('../..', import.meta.url).pathname;

async function documentedBlock(): Promise<string> {
  const doc = await readFile(new URL('docs/try-it.md', `file://${ROOT}`), 'utf8');
  const section = doc.split('\n## Run the committed bundle yourself\n')[1] ?? '';
  const block = /```bash\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (block === undefined)
    throw new Error('docs/try-it.md has no bash block under "Run the committed bundle yourself"');
  return block;
}

test('the documented block logs in with the bundle and skopeo pulls with the written config', async () => {
  expectToolsInCi(['skopeo', 'docker-registry']);
  const block = await documentedBlock();
  const result = await run('bash', ['-e', '-o', 'pipefail', '-c', block], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  expect(result.code, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).not.toContain('::error::');
  expect(result.stdout).toContain('::add-mask::');
  // skopeo's answer: the emulator's hello image on contoso.
  expect(JSON.parse(result.stdout.slice(result.stdout.lastIndexOf('\n{'))).Name).toBe(
    'contoso.azurecr.io/hello',
  );
}, 120_000);
