import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import {
  checkSnippet,
  headingAnchors,
  type Interface,
  repositoryLinks,
  snippets,
} from '../support/doc-snippets.ts';

/**
 * Every GitHub workflow and Azure Pipelines example in README.md, docs/ and the Marketplace page parses,
 * and every key under `with:` of an acr-login step exists in action.yml, and every key under `inputs:` of
 * an AcrLogin@1 step exists in task.json. A renamed input fails here instead of in a user's pipeline.
 */

const ROOT = resolve(import.meta.dirname, '../..');

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> };
const task = JSON.parse(readFileSync(join(ROOT, 'task.json'), 'utf8')) as {
  inputs: { name: string; aliases?: string[] }[];
};
const API: Interface = {
  actionInputs: new Set(Object.keys(action.inputs)),
  taskInputs: new Set(task.inputs.flatMap((input) => [input.name, ...(input.aliases ?? [])])),
};

const markdownFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? markdownFiles(join(dir, entry.name))
      : entry.name.endsWith('.md')
        ? [join(dir, entry.name)]
        : [],
  );

const FILES = ['README.md', 'packages/ado-task/overview.md', ...markdownFiles('docs')];

describe('the checker', () => {
  const check = (markdown: string) =>
    snippets(markdown, 'x.md').flatMap((snippet) => checkSnippet(snippet, API).problems);
  const fence = '```';

  test.each([
    [
      'an input action.yml has',
      `${fence}yaml\n- uses: acr-login/acr-login@v1\n  with:\n    registry: contoso\n${fence}`,
      [],
    ],
    [
      'an input action.yml lacks',
      `${fence}yaml\n- uses: acr-login/acr-login@v1\n  with:\n    registry: contoso\n    regsitry: x\n${fence}`,
      ['x.md:1: "with: regsitry" is not an input of action.yml'],
    ],
    [
      'another owner',
      `${fence}yaml\n- uses: org/acr-login@v1\n  with:\n    registry: contoso\n${fence}`,
      ['x.md:1: "uses: org/acr-login@v1" should name acr-login/acr-login'],
    ],
    [
      'a task input and an alias',
      `${fence}yaml\n- task: AcrLogin@1\n  inputs:\n    connectedServiceNameARM: c\n    registry: r\n${fence}`,
      [],
    ],
    [
      'a task input task.json lacks (the action spelling)',
      `${fence}yaml\n- task: AcrLogin@1\n  inputs:\n    auth-type: anonymous\n${fence}`,
      ['x.md:1: "inputs: auth-type" is not an input of task.json'],
    ],
    [
      'an example nested in a list item',
      `- item:\n\n  ${fence}yaml\n  - uses: acr-login/acr-login@v1\n    with:\n      clientid: x\n  ${fence}`,
      ['x.md:3: "with: clientid" is not an input of action.yml'],
    ],
    [
      'the after side of a diff',
      `${fence}diff\n-      - uses: docker/login-action@v3\n+      - uses: acr-login/acr-login@v1\n         with:\n-          username: u\n+          tenant: t\n${fence}`,
      ['x.md:1: "with: tenant" is not an input of action.yml'],
    ],
    [
      'YAML that does not parse',
      `${fence}yaml\nsteps:\n  - a: [\n${fence}`,
      ['x.md:1: the yaml example is not valid YAML'],
    ],
    [
      'another language is not read',
      `${fence}bash\nuses: acr-login/acr-login@v1\n  with: {nope: 1}\n${fence}`,
      [],
    ],
  ])('%s', (_, markdown, problems) => {
    const found = check(markdown);
    expect(found.length).toBe(problems.length);
    found.forEach((problem, i) => {
      expect(problem.startsWith(problems[i] ?? '')).toBe(true);
    });
  });
});

describe.each(FILES)('%s', (file) => {
  const found = snippets(readFileSync(join(ROOT, file), 'utf8'), relative(ROOT, join(ROOT, file)));
  const reports = found.map((snippet) => checkSnippet(snippet, API));

  test('every YAML example parses, and every acr-login and AcrLogin@1 step uses real inputs', () => {
    expect(reports.flatMap((report) => report.problems)).toEqual([]);
  });
});

test('the examples cover both products in every guide that shows a step', () => {
  const steps = FILES.flatMap((file) =>
    snippets(readFileSync(join(ROOT, file), 'utf8'), file).flatMap(
      (snippet) => checkSnippet(snippet, API).steps,
    ),
  );
  const count = (kind: string, file?: string) =>
    steps.filter((s) => s.kind === kind && (file === undefined || s.at.startsWith(`${file}:`))).length;
  // Lower bounds, so that a change to the extraction that silently finds nothing fails here.
  expect(count('action')).toBeGreaterThanOrEqual(28);
  expect(count('task')).toBeGreaterThanOrEqual(20);
  expect(count('action', 'README.md')).toBeGreaterThanOrEqual(15);
  expect(count('task', 'packages/ado-task/overview.md')).toBeGreaterThanOrEqual(6);
  expect(count('action', 'docs/migration.md')).toBeGreaterThanOrEqual(2);
  expect(count('task', 'docs/migration.md')).toBeGreaterThanOrEqual(3);
});

describe('links into this repository resolve, anchors included', () => {
  test.each([
    [
      '## Several registries\n## Several registries\n### `ACR_EXCHANGE_DENIED` (HTTP 401 or 403 at `/oauth2/exchange`)',
      ['several-registries', 'several-registries-1', 'acr_exchange_denied-http-401-or-403-at-oauth2exchange'],
    ],
    ['```\n# not a heading\n```\n# Real one', ['real-one']],
  ])('anchors of %j', (markdown, anchors) => {
    expect([...headingAnchors(markdown)]).toEqual(anchors);
  });

  test.each([
    ['[a](../README.md#x)', 'docs/a.md', [{ target: 'README.md', anchor: 'x' }]],
    ['[a](#y) [b](https://example.com/#z)', 'docs/a.md', [{ target: 'docs/a.md', anchor: 'y' }]],
    [
      'see https://github.com/acr-login/acr-login#azure-pipelines and [d](https://github.com/acr-login/acr-login/blob/main/docs/b.md#c)',
      'task.json',
      [
        { target: 'README.md', anchor: 'azure-pipelines' },
        { target: 'docs/b.md', anchor: 'c' },
      ],
    ],
  ])('links in %j', (text, from, links) => {
    expect(repositoryLinks(text, from)).toEqual(links);
  });

  test.each([...FILES, 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md', 'task.json'])('%s', (file) => {
    const broken = repositoryLinks(readFileSync(join(ROOT, file), 'utf8'), file).filter(
      ({ target, anchor }) =>
        !existsSync(join(ROOT, target)) ||
        (anchor !== undefined &&
          target.endsWith('.md') &&
          !headingAnchors(readFileSync(join(ROOT, target), 'utf8')).has(anchor)),
    );
    expect(broken).toEqual([]);
  });
});
