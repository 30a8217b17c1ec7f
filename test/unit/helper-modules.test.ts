import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { writeCached } from '../../packages/core/src/renew/cache-writer.ts';
import { BUNDLES } from '../support/bundles.ts';
import { builtinsProbe, HTTP_CLIENT } from '../support/loaded-builtins.ts';
import { tempDir } from '../support/temp-dirs.ts';

// With `renew: true`, clients may start the bundle as their credential helper for every command that touches
// the registry (always on Windows; elsewhere when the cached answer is due). Node's start is most of that
// time, and a built-in module the helper does not need adds to it: `node:crypto` alone costs 3-8 ms.
const SERVER = 'contoso.azurecr.io';

/** Built-in modules no `get` needs: a `get` reads a cache file or asks the renewal agent over a local socket. */
const NOT_NEEDED = ['crypto', 'os', ...HTTP_CLIENT, 'child_process', 'zlib', 'timers/promises'];

describe.each([
  ['the action', BUNDLES.action.main],
  ['the task', BUNDLES.task.main],
])("%s's credential helper", (_name, bundle) => {
  test('answers a get without loading built-in modules it does not need', async () => {
    const dir = tempDir('acr-login-helper-modules-');
    mkdirSync(join(dir, 'cache'));
    const probe = builtinsProbe(join(dir, 'loaded.txt'));
    const hour = 3_600_000;
    await writeCached(dir, SERVER, {
      username: '00000000-0000-0000-0000-000000000000',
      password: 'cached-refresh-token',
      expiresOn: Date.now() + 3 * hour,
      renewAt: Date.now() + hour,
    });
    const run = spawnSync(process.execPath, [bundle, 'credential-helper', dir, 'get'], {
      input: SERVER,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...probe.env },
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      ServerURL: SERVER,
      Username: '00000000-0000-0000-0000-000000000000',
      Secret: 'cached-refresh-token',
    });
    const builtins = probe.loaded();
    // The list is real: reading stdin from a pipe takes `net`.
    expect(builtins).toContain('net');
    expect(builtins.filter((name) => NOT_NEEDED.includes(name))).toEqual([]);
  });
});
