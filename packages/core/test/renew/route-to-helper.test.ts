import { copyFile, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { removeHelperRoutes, routeToHelper } from '../../src/renew/index.ts';
import { tempDir } from './support.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const HELPER = 'acr-login-0badcafe';
const CONTOSO = 'contoso.azurecr.io';
const FABRIKAM = 'fabrikam.azurecr.io';

async function json(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

describe('credHelpers entries', () => {
  // Windows has no POSIX mode bits: a file there inherits the ACL of its folder.
  test.skipIf(process.platform === 'win32')(
    'route every server to the helper in every file, and leave no trace after removal',
    async () => {
      const dir = await tempDir();
      const docker = join(dir, 'docker', 'config.json');
      const containers = join(dir, 'containers', 'auth.json');
      const entries = await routeToHelper([docker, containers], [CONTOSO, FABRIKAM], HELPER);
      for (const file of [docker, containers]) {
        expect(await json(file)).toEqual({ credHelpers: { [CONTOSO]: HELPER, [FABRIKAM]: HELPER } });
        expect((await stat(file)).mode & 0o777).toBe(0o600);
      }
      expect(await removeHelperRoutes(entries)).toEqual({ removed: 4, restored: 0, skipped: [] });
      await expect(readFile(docker)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(readFile(containers)).rejects.toMatchObject({ code: 'ENOENT' });
    },
  );

  test('a file whose folder is gone by the post step: nothing to undo, nothing reported', async () => {
    const dir = await tempDir();
    const file = join(dir, 'docker', 'config.json');
    const entries = await routeToHelper([file], [CONTOSO], HELPER);
    await rm(join(dir, 'docker'), { recursive: true });
    expect(await removeHelperRoutes(entries)).toEqual({ removed: 0, restored: 0, skipped: [] });
    await expect(stat(join(dir, 'docker'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test("a user's credHelpers entry for the same server is replaced, then restored byte for byte", async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    await copyFile(join(FIXTURES, 'docker-config.json'), file);
    const original = await readFile(file, 'utf8');
    const entries = await routeToHelper([file], [CONTOSO, FABRIKAM], HELPER);
    expect(await json(file)).toMatchObject({
      auths: { 'ghcr.io': { auth: 'dXNlcjpnaGNyLXRva2Vu' } },
      credHelpers: { [CONTOSO]: HELPER, [FABRIKAM]: HELPER, 'gcr.io': 'gcloud' },
      credsStore: 'pass',
    });
    expect(await removeHelperRoutes(entries)).toEqual({ removed: 1, restored: 1, skipped: [] });
    expect(await readFile(file, 'utf8')).toBe(original);
  });

  test('an auths entry for the same server is left alone: clients without credHelpers keep using it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    const text = '{\n\t"auths": {\n\t\t"contoso.azurecr.io": {\n\t\t\t"auth": "eDp5"\n\t\t}\n\t}\n}';
    await writeFile(file, text);
    const entries = await routeToHelper([file], [CONTOSO], HELPER);
    expect(await json(file)).toEqual({
      auths: { [CONTOSO]: { auth: 'eDp5' } },
      credHelpers: { [CONTOSO]: HELPER },
    });
    await removeHelperRoutes(entries);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  // Creating a symlink on Windows needs Developer Mode or an administrator.
  test.skipIf(process.platform === 'win32')(
    'a symlinked file is edited through the link, which survives; two names of one file are written once',
    async () => {
      const dir = await tempDir();
      await mkdir(join(dir, 'dotfiles'));
      const real = join(dir, 'dotfiles', 'config.json');
      await writeFile(real, '{}');
      const link = join(dir, 'config.json');
      await symlink(real, link);
      const entries = await routeToHelper([link, real], [CONTOSO], HELPER);
      expect(entries).toHaveLength(1);
      expect((await json(real)).credHelpers).toEqual({ [CONTOSO]: HELPER });
      await removeHelperRoutes(entries);
      expect(await readFile(link, 'utf8')).toBe('{}');
    },
  );

  test('an entry someone changed since the login is left as it is and reported', async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    const entries = await routeToHelper([file], [CONTOSO, FABRIKAM], HELPER);
    const config = await json(file);
    (config.credHelpers as Record<string, string>)[CONTOSO] = 'acr-env';
    await writeFile(file, JSON.stringify(config));
    const result = await removeHelperRoutes(entries);
    expect(result.removed).toBe(1);
    expect(result.skipped).toEqual([
      { file, key: `credHelpers.${CONTOSO}`, reason: expect.stringContaining('changed since the login') },
    ]);
    expect(await json(file)).toEqual({ credHelpers: { [CONTOSO]: 'acr-env' } });
  });

  test('a corrupt file is never overwritten: the login fails and names it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    await writeFile(file, '{"auths": ');
    await expect(routeToHelper([file], [CONTOSO], HELPER)).rejects.toMatchObject({
      code: 'CONFIG_CORRUPT',
    });
    expect(await readFile(file, 'utf8')).toBe('{"auths": ');
  });

  test('removal after the file was deleted is a no-op', async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    const entries = await routeToHelper([file], [CONTOSO], HELPER);
    const { rm } = await import('node:fs/promises');
    await rm(file);
    expect(await removeHelperRoutes(entries)).toEqual({ removed: 0, restored: 0, skipped: [] });
  });
});
