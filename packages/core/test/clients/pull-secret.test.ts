import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tempDir } from '../../../../test/support/temp-dirs.ts';
import { dockerConfigJson, removePullSecret, writePullSecret } from '../../src/clients/pull-secret.ts';

const RT_USER = '00000000-0000-0000-0000-000000000000';
const contoso = { loginServer: 'contoso.azurecr.io', username: RT_USER, password: 'refresh.token.value' };
const fabrikam = { loginServer: 'fabrikam.azurecr.io', username: 'fabrikam', password: 'admin-pass:word' };

const newDir = () => tempDir('pull-secret-test-');

describe('dockerConfigJson', () => {
  test('one auths entry per login, with username, password and the base64 pair', () => {
    expect(JSON.parse(dockerConfigJson([contoso, fabrikam]))).toEqual({
      auths: {
        'contoso.azurecr.io': {
          username: RT_USER,
          password: 'refresh.token.value',
          auth: Buffer.from(`${RT_USER}:refresh.token.value`).toString('base64'),
        },
        'fabrikam.azurecr.io': {
          username: 'fabrikam',
          password: 'admin-pass:word',
          auth: Buffer.from('fabrikam:admin-pass:word').toString('base64'),
        },
      },
    });
  });
});

describe('writePullSecret', () => {
  // Windows has no POSIX mode bits: a file there inherits the ACL of its folder.
  test.skipIf(process.platform === 'win32')(
    'writes exactly the logins given, mode 0600, in the given directory',
    async () => {
      const dir = newDir();
      const file = await writePullSecret(dir, [contoso]);
      expect(file).toMatch(new RegExp(`^${dir}/acr-login-pull-secret-[0-9a-f]{16}\\.json$`));
      expect((await stat(file as string)).mode & 0o777).toBe(0o600);
      expect(Object.keys(JSON.parse(await readFile(file as string, 'utf8')).auths)).toEqual([
        'contoso.azurecr.io',
      ]);
    },
  );

  test('two steps in one job get two files', async () => {
    const dir = newDir();
    const [a, b] = await Promise.all([writePullSecret(dir, [contoso]), writePullSecret(dir, [fabrikam])]);
    expect(a).not.toBe(b);
    expect((await readdir(dir)).sort()).toHaveLength(2);
  });

  test('anonymous logins only: no file', async () => {
    const dir = newDir();
    expect(
      await writePullSecret(dir, [{ loginServer: 'public.azurecr.io', username: '', password: '' }]),
    ).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  test('an anonymous login next to a real one is left out', async () => {
    const dir = newDir();
    const file = await writePullSecret(dir, [
      { loginServer: 'public.azurecr.io', username: '', password: '' },
      contoso,
    ]);
    expect(Object.keys(JSON.parse(await readFile(file as string, 'utf8')).auths)).toEqual([
      'contoso.azurecr.io',
    ]);
  });

  test('a directory that cannot take the file: CONFIG_WRITE_FAILED naming the file, no secret in the message', async () => {
    const missing = join(newDir(), 'absent');
    const error = await writePullSecret(missing, [contoso]).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'CONFIG_WRITE_FAILED',
      message: expect.stringContaining(`"${missing}/acr-login-pull-secret-`),
    });
    expect((error as Error).message).toContain('ENOENT');
    expect((error as Error).message).not.toContain(contoso.password);
  });
});

describe('removePullSecret', () => {
  test('removes the file, and reports a file already gone', async () => {
    const dir = newDir();
    const file = (await writePullSecret(dir, [contoso])) as string;
    expect(await removePullSecret(file)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
    expect(await removePullSecret(file)).toBe(false);
  });

  // Creating a symlink on Windows needs Developer Mode or an administrator.
  test.skipIf(process.platform === 'win32')('removes a link, never what it points to', async () => {
    const dir = newDir();
    const target = join(dir, 'keep.txt');
    await writeFile(target, 'keep');
    await mkdir(join(dir, 'sub'));
    const link = join(dir, 'sub', 'link.json');
    await symlink(target, link);
    expect(await removePullSecret(link)).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('keep');
  });
});
