import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { mask, renderLog, renderOutputs, renderSummary, textTable } from '../../scripts/lib/show.ts';
import { tempDir } from '../support/temp-dirs.ts';

/** What the demo and `npm run try` show, and what their setup installs. */

const ROOT = resolve(import.meta.dirname, '../..');

describe('the job summary renders as a table', () => {
  test('the HTML table @actions/core writes', () => {
    const html =
      '<h3>Azure Container Registry login</h3>\n<table><tr><th>Registry</th><th>Expires</th></tr>' +
      '<tr><td>contoso.azurecr.io</td><td>2026-11-29T22:00:00.000Z</td></tr>' +
      '<tr><td>b.azurecr.io</td><td>-</td></tr></table>\nAuth type: oidc &amp; more.\n';
    expect(renderSummary(html)).toBe(
      [
        '  Azure Container Registry login',
        '',
        '  Registry           | Expires',
        '  -------------------+-------------------------',
        '  contoso.azurecr.io | 2026-11-29T22:00:00.000Z',
        '  b.azurecr.io       | -',
        '',
        '  Auth type: oidc & more.',
      ].join('\n'),
    );
  });

  test('a Markdown table passes through as it is', () => {
    expect(renderSummary('| a | b |\n| - | - |\n| 1 | 2 |\n')).toBe('  | a | b |\n  | - | - |\n  | 1 | 2 |');
  });

  test.each([
    [
      [
        ['a', 'bb'],
        ['ccc', 'd'],
      ],
      '  a   | bb\n  ----+---\n  ccc | d',
    ],
    [[['only']], '  only\n  ----'],
    [[], ''],
  ])('textTable %j', (rows, text) => {
    expect(textTable(rows)).toBe(text);
  });
});

describe('outputs and logs never show a secret', () => {
  test('the password output is *** and other masked values are hidden inside any output', () => {
    expect(
      renderOutputs(
        { 'login-server': 'contoso.azurecr.io', password: 'rt-secret', 'docker-config': '/x/rt-secret' },
        ['rt-secret'],
      ),
    ).toBe('  login-server   contoso.azurecr.io\n  password       ***\n  docker-config  /x/***');
    expect(renderOutputs({ password: '' }, [])).toBe('  password  (empty)');
    expect(renderOutputs({}, [])).toBe('  (none)');
  });

  test('values registered with ::add-mask:: or task.setsecret are masked, longest first', () => {
    const log = '::add-mask::abc\n##vso[task.setsecret]abcdef\nabcdef then abc\n::debug::hidden\n';
    expect(renderLog(log, [])).toBe('  *** then ***');
    expect(mask('abcdef', ['abc', 'abcdef'])).toBe('***');
  });

  test('errors and a failed task are labelled as the runner and agent label them', () => {
    expect(renderLog('::error::bad input\n', [])).toBe('  Error: bad input');
    expect(
      renderLog(
        '##vso[task.issue type=error;]no role%0Afix: grant it\n##vso[task.complete result=Failed;]no role\n',
        [],
      ),
    ).toBe('  Error: no role\n  fix: grant it\n  Result: Failed');
  });
});

// Runs the Bash scripts with a PATH of links and stand-in programs: POSIX only.
describe.skipIf(process.platform === 'win32')('setup installs only what it is asked for', () => {
  // A PATH with nothing but bash: every tool counts as missing, as on a fresh machine.
  const bare = tempDir('acr-login-bare-path-');
  for (const tool of ['bash', 'dirname']) {
    const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(found, join(bare, tool));
  }
  /** The dry-run plan of a script, with `present` as the only other commands on PATH. */
  const plan = (script: string, args: readonly string[], present: readonly string[] = []) => {
    const path = tempDir('acr-login-path-');
    for (const tool of present) writeFileSync(join(path, tool), '#!/bin/sh\n', { mode: 0o755 });
    const run = spawnSync(join(bare, 'bash'), [join(ROOT, script), ...args], {
      env: { PATH: `${bare}:${path}`, SETUP_DRY_RUN: '1' },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    return run.stdout;
  };
  const everything =
    'docker-registry skopeo azure-cli docker.io podman buildah kubernetes-client pass gnupg ' +
    'golang-docker-credential-helpers amazon-ecr-credential-helper squid tinyproxy apache2-utils';

  test.each([
    [['--demo'], 'docker-registry skopeo', 'not requested'],
    [['--demo', '--node24'], 'docker-registry skopeo', 'requested'],
    [[], everything, 'requested'],
  ])('setup.sh %j installs %s; Node 24 %s', (args, packages, node24) => {
    expect(plan('scripts/setup.sh', args)).toBe(
      `install-tools: Debian packages to install: ${packages}\nsetup: Node 24: ${node24}\n`,
    );
  });

  test.each([
    // A docker CLI without its daemon still needs docker.io.
    [['docker'], everything],
    [['docker', 'dockerd'], everything.replace(' docker.io', '')],
    // An image's own kubectl would collide with kubernetes-client: installed only where kubectl is missing.
    [['kubectl'], everything.replace(' kubernetes-client', '')],
    [['gpg', 'htpasswd', 'squid'], everything.replace(/ (gnupg|squid|apache2-utils)/g, '')],
  ])('with %j on PATH, install-tools.sh installs %s', (present, packages) => {
    expect(plan('scripts/install-tools.sh', [], present)).toBe(
      `install-tools: Debian packages to install: ${packages}\n`,
    );
  });

  test('nothing to install when every command is present', () => {
    const commands = readFileSync(join(ROOT, 'scripts/tools.list'), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.split(':')[0] ?? '');
    expect(commands).toHaveLength(15);
    expect(plan('scripts/install-tools.sh', [], commands)).toBe(
      'install-tools: Debian packages to install: (none)\n',
    );
  });

  test('the demo asks for the demo setup, and the tests for everything', () => {
    const lines = (file: string) => readFileSync(join(ROOT, file), 'utf8').split('\n');
    expect(lines('scripts/demo.sh')).toContain('  bash scripts/setup.sh --demo');
    expect(lines('scripts/test.sh')).toContain('bash scripts/setup.sh');
  });

  test('CI, setup and the workflows install from the one list, and nowhere else', () => {
    const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');
    const ciRun = text('.ci/run').split('\n');
    expect(ciRun).toContain('export CI=true');
    expect(ciRun).toContain('bash scripts/install-tools.sh');
    expect(text('scripts/setup.sh')).toContain(
      'if $demo; then bash scripts/install-tools.sh --demo; else bash scripts/install-tools.sh; fi',
    );
    const ci = text('.github/workflows/ci.yml');
    const testJob = ci.slice(ci.indexOf('\n  test:'), ci.indexOf('\n  windows:'));
    expect(testJob).toContain('run: bash scripts/install-tools.sh\n');
    expect(testJob).toContain('node: [20, 24]');
    expect(testJob).toContain('CI: "true"\n        run: npx vitest run');
    expect(text('.github/workflows/e2e.yml')).toContain('run: bash scripts/install-tools.sh --demo\n');
    // The Windows job runs the whole unit project: tests that cannot run there skip themselves.
    expect(ci).toContain('run: npx vitest run --project unit\n');
    expect(ci).not.toContain('--exclude');
    for (const file of [
      '.ci/run',
      'scripts/setup.sh',
      ...['ci', 'e2e', 'release'].map((w) => `.github/workflows/${w}.yml`),
    ]) {
      expect(text(file), `${file} installs no package of its own`).not.toMatch(/apt-get|apt install/);
    }
  });
});
