import { expect, test } from 'vitest';
import { run } from '../support/clients.ts';

/**
 * `npm run try` and `npm run try:ado`, as documented in docs/try-it.md: the bundle runs against the
 * emulator with the user's inputs, skopeo pulls with what it wrote, the post step logs out, and no secret
 * is printed.
 */

const tryScript = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/try.ts', ...args], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });

test('the action with a service principal: outputs, summary table, pull, logout', async () => {
  const result = await tryScript([
    '--registry',
    'contoso',
    '--auth-type',
    'service-principal',
    '--client-id',
    '@sp',
    '--tenant-id',
    '@tenant',
    '--client-secret',
    '@sp-secret',
  ]);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toMatch(/^ {2}password +\*\*\*$/m);
  expect(result.stdout).toMatch(/^ {2}Registry {11}\| Identity/m);
  expect(result.stdout).toContain(
    'pulled the manifest of contoso.azurecr.io/hello:latest with the credentials in',
  );
  expect(result.stdout).toMatch(/Logged out: 1 credential entry removed/);
  expect(result.stdout).not.toMatch(/eyJ[\w-]{20,}/); // no JWT anywhere
});

test('the task with a workload identity federation connection', async () => {
  const result = await tryScript(['--ado', '--azureSubscription', 'wif', '--registry', 'contoso']);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toMatch(/^ {2}password +\*\*\*$/m);
  expect(result.stdout).toContain('(WorkloadIdentityFederation)');
  expect(result.stdout).toContain('pulled the manifest of contoso.azurecr.io/hello:latest');
  expect(result.stdout).not.toMatch(/eyJ[\w-]{20,}/);
});

test('a failing login exits non-zero and shows the error', async () => {
  const result = await tryScript(['--ado', '--azureSubscription', 'no-role', '--registry', 'contoso']);
  expect(result.code).toBe(1);
  expect(result.stdout).toContain('ACR_EXCHANGE_DENIED');
  expect(result.stdout).toContain('Result: Failed');
});
