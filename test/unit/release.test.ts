import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { releaseNotes } from '../../scripts/release/changelog.ts';
import {
  describe as describeCommand,
  publishCommand,
  TOKEN_VARIABLE,
} from '../../scripts/release/publish.ts';
import {
  bumpVersion,
  disagreements,
  majorTag,
  parseTag,
  parseVersion,
  readVersions,
} from '../../scripts/release/versions.ts';

/**
 * The release workflow's scripts, run on copies of this repository's version files: bump sets every
 * place at once, the check catches any one place that disagrees with the tag, the notes come from the
 * changelog, and publishing can be dry-run without a token.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const RELEASE = join(ROOT, 'scripts/release/release.ts');
/** Each CLI call starts Node with tsx: slow on a loaded 2-core machine. */
const CLI_TIMEOUT = 30_000;
const FILES = [
  'package.json',
  'package-lock.json',
  'task.json',
  'vss-extension.json',
  'CHANGELOG.md',
  'packages/core/package.json',
  'packages/github-action/package.json',
  'packages/ado-task/package.json',
];

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'acr-login-release-'));
  for (const file of FILES) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    cpSync(join(ROOT, file), join(root, file));
  }
  // Start every copy from one known version, whatever this checkout is at.
  bumpVersion(root, parseVersion('1.4.2'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const read = (file: string) => readFileSync(join(root, file), 'utf8');
const write = (file: string, text: string) => writeFileSync(join(root, file), text);
const json = (file: string) => JSON.parse(read(file));

/** Runs the CLI the way the workflow does. */
function cli(args: string[], env: Record<string, string> = {}) {
  const { [TOKEN_VARIABLE]: _, ...base } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', RELEASE, ...args, '--root', root], {
    cwd: ROOT,
    env: { ...base, ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tags and versions', () => {
  test.each([
    ['v1.2.3', { major: 1, minor: 2, patch: 3 }],
    ['refs/tags/v10.0.11', { major: 10, minor: 0, patch: 11 }],
    ['v0.0.0', { major: 0, minor: 0, patch: 0 }],
  ])('%s is a release tag', (tag, version) => {
    expect(parseTag(tag)).toEqual(version);
  });

  test.each([
    ['1.2.3', /does not start with "v"/],
    ['v1.2', /vMAJOR\.MINOR\.PATCH/],
    ['v1.2.3-rc.1', /vMAJOR\.MINOR\.PATCH/],
    ['v1.2.3+build', /vMAJOR\.MINOR\.PATCH/],
    ['v01.2.3', /vMAJOR\.MINOR\.PATCH/],
    ['v1', /vMAJOR\.MINOR\.PATCH/],
    ['release-1.2.3', /does not start with "v"/],
    ['', /does not start with "v"/],
  ])('%j is refused', (tag, message) => {
    expect(() => parseTag(tag)).toThrow(message);
  });

  test.each([
    ['v1.2.3', 'v1'],
    ['v2.0.0', 'v2'],
    ['v10.4.1', 'v10'],
  ])('%s moves the major tag %s', (tag, major) => {
    expect(majorTag(parseTag(tag))).toBe(major);
  });
});

describe('version agreement', () => {
  test('copies that agree pass the check with their tag, and fail it with another', () => {
    expect(disagreements(root, parseTag('v1.4.2'))).toEqual([]);
    expect(disagreements(root)).toEqual([]);
    expect(disagreements(root, parseTag('v1.4.3'))).toHaveLength(readVersions(root).length);
  });

  test('every place a version lives is read: root, workspaces, their references, lock entries, task, extension', () => {
    expect(readVersions(root).map((site) => `${site.file} ${site.where}`)).toEqual([
      'package.json version',
      'packages/core/package.json version',
      'packages/github-action/package.json version',
      'packages/github-action/package.json dependencies["@acr-login/core"]',
      'packages/ado-task/package.json version',
      'packages/ado-task/package.json dependencies["@acr-login/core"]',
      'package-lock.json version',
      'package-lock.json packages[""].version',
      'package-lock.json packages["packages/core"].version',
      'package-lock.json packages["packages/github-action"].version',
      'package-lock.json packages["packages/github-action"].dependencies["@acr-login/core"]',
      'package-lock.json packages["packages/ado-task"].version',
      'package-lock.json packages["packages/ado-task"].dependencies["@acr-login/core"]',
      'task.json version',
      'vss-extension.json version',
    ]);
  });

  // One file out of step at a time: the check names exactly that place.
  test.each([
    ['package.json', 'version', (t: string) => t.replace('"version": "1.4.2"', '"version": "1.4.1"')],
    [
      'packages/core/package.json',
      'version',
      (t: string) => t.replace('"version": "1.4.2"', '"version": "1.5.0"'),
    ],
    [
      'packages/github-action/package.json',
      'version',
      (t: string) => t.replace('"version": "1.4.2"', '"version": "1.3.0"'),
    ],
    [
      'packages/ado-task/package.json',
      'dependencies["@acr-login/core"]',
      (t: string) => t.replace('"@acr-login/core": "1.4.2"', '"@acr-login/core": "1.4.0"'),
    ],
    [
      'package-lock.json',
      'packages["packages/ado-task"].version',
      (t: string) => {
        const lock = JSON.parse(t);
        lock.packages['packages/ado-task'].version = '1.4.1';
        return JSON.stringify(lock, null, 2);
      },
    ],
    ['task.json', 'version', (t: string) => t.replace('"Patch": 2', '"Patch": 3')],
    ['task.json', 'version', (t: string) => t.replace('"Minor": 4', '"Minor": 0')],
    ['vss-extension.json', 'version', (t: string) => t.replace('"version": "1.4.2"', '"version": "1.4.20"')],
  ])('%s %s out of step is found', (file, where, change) => {
    const before = read(file);
    write(file, change(before));
    expect(read(file)).not.toBe(before);
    expect(disagreements(root, parseTag('v1.4.2')).map((s) => `${s.file} ${s.where}`)).toEqual([
      `${file} ${where}`,
    ]);
  });

  test(
    'the CLI exits 0 when the versions agree with the tag, 1 naming the file when not, 1 on a bad tag',
    () => {
      const ok = cli(['check', 'v1.4.2']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('Every version agrees with v1.4.2');

      write('vss-extension.json', read('vss-extension.json').replace('"1.4.2"', '"1.4.1"'));
      const wrong = cli(['check', 'v1.4.2']);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('vss-extension.json version: 1.4.1');
      expect(wrong.stderr).not.toContain('task.json');

      const bad = cli(['check', 'v1.4']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/Tag "v1.4" is not of the form vMAJOR.MINOR.PATCH/);
    },
    CLI_TIMEOUT,
  );
});

describe('bump', () => {
  test('sets every place at once, and only the versions', () => {
    const before = Object.fromEntries(FILES.map((file) => [file, read(file)]));
    const changed = bumpVersion(root, parseVersion('2.0.1'));
    expect(changed.sort()).toEqual(FILES.filter((f) => f !== 'CHANGELOG.md').sort());
    expect(disagreements(root, parseTag('v2.0.1'))).toEqual([]);
    expect(json('task.json').version).toEqual({ Major: 2, Minor: 0, Patch: 1 });

    // Nothing but the version lines moved: each changed line holds the new version.
    for (const file of changed) {
      const old = (before[file] ?? '').split('\n');
      const now = read(file).split('\n');
      expect(now.length, file).toBe(old.length);
      const diff = now.filter((line, i) => line !== old[i]);
      expect(diff.length, file).toBeGreaterThan(0);
      for (const line of diff) expect(line, file).toMatch(/2\.0\.1|"Major": 2.*"Minor": 0.*"Patch": 1/);
    }
    expect(read('CHANGELOG.md')).toBe(before['CHANGELOG.md']);
  });

  test('a second bump to the same version changes nothing', () => {
    expect(bumpVersion(root, parseVersion('1.4.2'))).toEqual([]);
  });

  test('a root package.json without a version gets one after its name, as npm writes it', () => {
    write('package.json', read('package.json').replace(/\n\s*"version": "1.4.2",/, ''));
    expect(json('package.json').version).toBeUndefined();
    bumpVersion(root, parseVersion('1.5.0'));
    expect(Object.keys(json('package.json')).slice(0, 2)).toEqual(['name', 'version']);
    expect(disagreements(root, parseTag('v1.5.0'))).toEqual([]);
  });

  test(
    'the CLI takes a tag or a bare version and refuses a pre-release',
    () => {
      expect(cli(['bump', 'v3.1.0']).code).toBe(0);
      expect(disagreements(root, parseTag('v3.1.0'))).toEqual([]);
      const refused = cli(['bump', '3.2.0-beta.1']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('pre-release suffixes cannot be expressed in task.json');
      expect(disagreements(root, parseTag('v3.1.0'))).toEqual([]);
    },
    CLI_TIMEOUT,
  );
});

describe('release notes from CHANGELOG.md', () => {
  const changelog = readFileSync(join(import.meta.dirname, 'fixtures/CHANGELOG.md'), 'utf8');

  test.each([
    ['1.1.0', '### Fixed\n\n- The post step restores a credential helper entry.\n'],
    ['1.0.0', '### Added\n\n- The first release.\n'],
  ])('%s: the section body, without its heading or the link definitions', (version, notes) => {
    expect(releaseNotes(changelog, parseVersion(version))).toBe(notes);
  });

  test.each([
    ['1.2.0', /no "## \[1.2.0\]" section/],
    ['0.9.0', /the "## \[0.9.0\]" section is empty/],
  ])('%s is refused: %s', (version, message) => {
    expect(() => releaseNotes(changelog, parseVersion(version))).toThrow(message);
  });

  test("this repository's changelog has notes for its own version", () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
    const notes = releaseNotes(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), parseVersion(version));
    expect(notes).toMatch(/^### /);
  });

  test(
    'the CLI prints them for a tag',
    () => {
      write('CHANGELOG.md', changelog);
      const notes = cli(['notes', 'v1.1.0']);
      expect(notes.code, notes.stderr).toBe(0);
      expect(notes.stdout).toBe('### Fixed\n\n- The post step restores a credential helper entry.\n');
    },
    CLI_TIMEOUT,
  );
});

describe('publish', () => {
  test.each([
    [[], 'npx --no-install tfx extension publish --vsix out/a.vsix --no-color'],
    [
      ['contoso', 'fabrikam'],
      'npx --no-install tfx extension publish --vsix out/a.vsix --no-color --share-with contoso fabrikam',
    ],
    [[''], 'npx --no-install tfx extension publish --vsix out/a.vsix --no-color'],
  ])('share with %j: %s', (shareWith, line) => {
    const command = publishCommand('out/a.vsix', { shareWith });
    expect(describeCommand(command)).toBe(line);
    expect(command.args.join(' ')).not.toMatch(/--token|-t\b/);
  });

  test(
    'a dry run prints the command it would run and needs no token',
    () => {
      const dry = cli([
        'publish',
        'out/acr-login.acr-login-1.4.2.vsix',
        '--dry-run',
        '--share-with',
        'contoso',
      ]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toBe(
        'Would run: npx --no-install tfx extension publish --vsix out/acr-login.acr-login-1.4.2.vsix --no-color --share-with contoso\n' +
          `with the personal access token from ${TOKEN_VARIABLE} on stdin.\n`,
      );
    },
    CLI_TIMEOUT,
  );

  test(
    'without the token and without --dry-run it stops before running tfx, naming the secret',
    () => {
      const refused = cli(['publish', 'out/a.vsix'], { [TOKEN_VARIABLE]: '' });
      expect(refused.code).toBe(1);
      expect(refused.stdout).not.toContain('Running:');
      expect(refused.stderr).toContain(`${TOKEN_VARIABLE} is empty`);
      expect(refused.stderr).toContain('Marketplace (Publish)');
    },
    CLI_TIMEOUT,
  );
});
