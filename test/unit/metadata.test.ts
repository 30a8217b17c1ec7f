import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { JOB_DIRECTORY } from '../../packages/core/src/clients/isolate.ts';
import { ERROR_CODES, TROUBLESHOOTING_URL } from '../../packages/core/src/index.ts';
import { checkSnippet, headingAnchors, snippets } from '../support/doc-snippets.ts';

/**
 * What adopters read next to what the step does: the README's tables against action.yml and task.json, the
 * Marketplace page against task.json, an anchor for every error code, SECURITY.md against the files the
 * step writes secrets to, and the metadata that publishing and verifying a release need. A new input, output
 * or error code fails here until the page that describes it does.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface ActionYml {
  name: string;
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, unknown>;
}
interface TaskJson {
  inputs: { name: string; required?: boolean; defaultValue?: string; aliases?: string[] }[];
  outputVariables: { name: string }[];
}
const action = parse(read('action.yml')) as ActionYml;
const task = JSON.parse(read('task.json')) as TaskJson;
const README = read('README.md');

/** The markdown of the section under `heading`, up to the next heading of the same or a higher level. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const level = /^#+/.exec(heading)?.[0].length ?? 0;
  const end = lines.findIndex(
    (line, i) => i > start && /^#+\s/.test(line) && (/^#+/.exec(line)?.[0].length ?? 0) <= level,
  );
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

interface Row {
  readonly name: string;
  readonly required: string;
  readonly default: string;
}

/** The first table of a section, by its column names: the first `code` of the first cell is the name. */
function tableRows(markdown: string): Row[] {
  const table = markdown.split('\n').filter((line) => line.trimStart().startsWith('|'));
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((cell) => cell.trim());
  const [header = '', , ...body] = table;
  const columns = cells(header);
  const at = (row: string[], column: string) => row[columns.indexOf(column)] ?? '';
  const unquote = (cell: string) => /`([^`]*)`/.exec(cell)?.[1] ?? cell;
  return body.map((line) => {
    const row = cells(line);
    return {
      name: unquote(row[0] ?? ''),
      // "yes, with `usernamePassword`": task.json's required inputs show only for some auth types.
      required: at(row, 'required').split(',')[0] ?? '',
      default: at(row, 'default') === '' ? '' : unquote(at(row, 'default')),
    };
  });
}

describe('the table reader', () => {
  test('reads names, required and defaults, and fails on a section that is not there', () => {
    const markdown =
      '## Inputs\n\n| input | required | default | description |\n| - | - | - | - |\n' +
      '| `a` (alias `b`) | yes | | x |\n| `c` | no | `true` | y |\n## Next\n| `d` | no | | z |';
    expect(tableRows(section(markdown, '## Inputs'))).toEqual([
      { name: 'a', required: 'yes', default: '' },
      { name: 'c', required: 'no', default: 'true' },
    ]);
    expect(() => section(markdown, '## Outputs')).toThrow('no heading "## Outputs"');
  });
});

describe("README's tables are action.yml's and task.json's", () => {
  test('the Action inputs: names in order, required, defaults', () => {
    const rows = tableRows(section(README, '## Inputs'));
    expect(rows).toEqual(
      Object.entries(action.inputs).map(([name, input]) => ({
        name,
        required: input.required === true ? 'yes' : 'no',
        default: input.default ?? '',
      })),
    );
  });

  test('the Action outputs', () => {
    expect(tableRows(section(README, '## Outputs')).map((row) => row.name)).toEqual(
      Object.keys(action.outputs),
    );
  });

  test('the task inputs: names, required, defaults; and every output variable is named', () => {
    const part = section(README, '## Azure Pipelines inputs and output variables');
    const byName = (rows: readonly Row[]) => [...rows].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(tableRows(part))).toEqual(
      byName(
        task.inputs.map((input) => ({
          name: input.name,
          required: input.required === true ? 'yes' : 'no',
          default: input.defaultValue ?? '',
        })),
      ),
    );
    for (const { name } of task.outputVariables) expect(part).toContain(`\`${name}\``);
  });
});

describe('the Marketplace page (overview.md) names every task input and output variable', () => {
  const overview = read('packages/ado-task/overview.md');
  test.each(task.inputs.map((input) => input.name))('input %s', (name) => {
    expect(overview).toContain(`\`${name}\``);
  });
  test.each(task.outputVariables.map((output) => output.name))('output variable %s', (name) => {
    expect(overview).toContain(`\`${name}\``);
  });
  test('and says that later steps get DOCKER_CONFIG, and that long jobs renew rather than log in again', () => {
    expect(overview).toContain('DOCKER_CONFIG');
    expect(overview).toContain('renew: true');
    expect(overview).not.toMatch(/log in again before the push/);
  });
});

describe('every error code has its anchor in docs/troubleshooting.md, where failures link', () => {
  const anchors = headingAnchors(read('docs/troubleshooting.md'));
  test.each([...ERROR_CODES])('%s', (code) => {
    expect(anchors).toContain(code.toLowerCase());
  });

  test("the link is pinned to the package's major version", () => {
    const major = (JSON.parse(read('package.json')) as { version: string }).version.split('.')[0];
    expect(TROUBLESHOOTING_URL).toBe(
      `https://github.com/acr-login/acr-login/blob/v${major}/docs/troubleshooting.md`,
    );
  });
});

/**
 * Every file the step writes a secret to, and the words SECURITY.md names it by. A new kind of file that
 * holds a credential belongs here and in SECURITY.md.
 */
const SECRET_FILES: readonly (readonly [string, RegExp])[] = [
  ['the Docker config', /`(?:\$DOCKER_CONFIG\/|~\/\.docker\/|docker\/)config\.json`/],
  ['the containers auth file', /containers\/auth\.json/],
  ['the helm registry config', /helm\/registry\/config\.json/],
  ['the pull secret file', /pull secret file[\s\S]*acr-login-pull-secret-/i],
  ["the job's copies of the user's client files", new RegExp(`\`${JOB_DIRECTORY}/\``)],
  ['the renewal cache files', /renewal cache[\s\S]*cache\/<registry>\.json/i],
  ["the renewal agent's request token", /agent\.json/],
  ["the step's saved state", /saved state/i],
];

describe('SECURITY.md names every file the step writes a secret to', () => {
  const security = read('SECURITY.md');
  test.each(SECRET_FILES)('%s', (_, mention) => {
    expect(security).toMatch(mention);
  });
});

describe("README reads as an adopter's page", () => {
  const lines = README.split('\n');
  const lineOf = (heading: string) => lines.findIndex((line) => line.trim() === heading) + 1;
  const steps = snippets(README, 'README.md').flatMap((snippet) => {
    const found = checkSnippet(snippet, { actionInputs: new Set(), taskInputs: new Set() }).steps;
    // The line of the closing fence: a whole example, not just its start, within the first screen.
    const end = snippet.line + snippet.text.split('\n').length + 1;
    return found.map((step) => ({ ...step, end, text: snippet.text }));
  });

  test('at most 600 lines', () => {
    expect(lines.length).toBeLessThanOrEqual(600);
  });

  test('the first 60 lines: the role assignment, a complete OIDC workflow and an AcrLogin@1 step', () => {
    expect(lines.slice(0, 60).join('\n')).toMatch(/az role assignment create .*--role AcrPush/);
    const workflow = steps.find((step) => step.kind === 'action');
    expect(workflow?.end).toBeLessThanOrEqual(60);
    expect(workflow?.text).toContain('id-token: write');
    expect(workflow?.text).toMatch(/^jobs:/m);
    expect(steps.find((step) => step.kind === 'task')?.end).toBeLessThanOrEqual(60);
  });

  test('then the inputs and outputs, then the other identities', () => {
    const order = ['## Inputs', '## Outputs', '## Other identities'].map(lineOf);
    expect(order.every((line) => line > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('"Try it without Azure" shows the demo and the test command that CI runs', () => {
    const tryIt = section(README, '## Try it without Azure');
    const ci = read('.ci/run').trim().split('\n').at(-1) ?? '';
    expect(ci).toBe('bash scripts/test.sh');
    expect(tryIt).toMatch(new RegExp(`^${ci.replace(/\./g, '\\.')}\\s`, 'm'));
    expect(tryIt).toMatch(/^bash scripts\/demo\.sh\s/m);
  });

  test('shows how to verify a release and how to pin it', () => {
    expect(README).toContain('gh attestation verify');
    expect(README).toMatch(/acr-login\/acr-login@<40 hex digits>/);
  });

  test('links the proxy guide and warns about managed identities on self-hosted runners', () => {
    expect(section(README, '### Behind a proxy')).toContain('(docs/proxy.md)');
    expect(section(README, '### Self-hosted runner with a VM managed identity')).toMatch(
      /\[!WARNING\][\s\S]*public repository/,
    );
  });
});

describe('publishable', () => {
  test('the Action has a Marketplace name of its own', () => {
    // Marketplace names are unique; these belong to Azure/docker-login and docker/login-action.
    expect(['azure container registry login', 'docker login']).not.toContain(action.name.toLowerCase());
  });

  test('the extension links its repository, support and licence', () => {
    const extension = JSON.parse(read('vss-extension.json')) as {
      repository: { uri: string };
      links: Record<string, { uri: string }>;
    };
    const own = /^https:\/\/github\.com\/acr-login\/acr-login(?:[/#]|$)/;
    expect(extension.repository.uri).toMatch(own);
    for (const link of ['repository', 'support', 'license']) expect(extension.links[link]?.uri).toMatch(own);
  });
});

describe('releases you can verify', () => {
  const workflow = parse(read('.github/workflows/release.yml')) as {
    jobs: Record<
      string,
      {
        permissions?: Record<string, string>;
        steps: { name?: string; uses?: string; run?: string; with?: Record<string, string> }[];
      }
    >;
  };
  const release = workflow.jobs.release;

  test('attests the provenance of dist/ and the .vsix, after both exist', () => {
    const steps = release?.steps ?? [];
    const attest = steps.findIndex((step) => step.uses?.startsWith('actions/attest-build-provenance@'));
    expect(attest).toBeGreaterThan(steps.findIndex((step) => step.run === 'npm run package:ado'));
    const subjects = (steps[attest]?.with?.['subject-path'] ?? '').split('\n').map((s) => s.trim());
    expect(subjects).toEqual(expect.arrayContaining(['dist/**', 'out/*.vsix']));
    expect(release?.permissions).toMatchObject({ 'id-token': 'write', attestations: 'write' });
  });

  test('moves the major tag only: nothing else is forced', () => {
    const forced = (release?.steps ?? [])
      .flatMap((step) => (step.run ?? '').split('\n'))
      .filter((line) => line.includes('--force'));
    expect(forced.length).toBeGreaterThan(0);
    for (const line of forced) expect(line).toMatch(/"\$major"|refs\/tags\/\$major/);
  });
});
