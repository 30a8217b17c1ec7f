import { isMap, isScalar, isSeq, type Node, parseAllDocuments } from 'yaml';

/** Reads the YAML examples in Markdown files and checks each acr-login step against the real interface. */

export interface Snippet {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly text: string;
}

/**
 * Fenced ```yaml (or yml) blocks, and the "after" side of ```diff blocks (context and + lines), with the
 * fence's own indentation removed, so examples nested in list items count too.
 */
export function snippets(markdown: string, file: string): Snippet[] {
  const lines = markdown.split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})([\w-]*)\s*$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const [, indent = '', fence = '', lang = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j] ?? '';
      if (line.trim() === fence && line.startsWith(indent)) break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    if (lang === 'yaml' || lang === 'yml')
      found.push({ file, line: i + 1, lang: 'yaml', text: body.join('\n') });
    if (lang === 'diff') {
      const after = body
        .filter((line) => !line.startsWith('-') && !line.startsWith('+++') && !line.startsWith('@@'))
        .map((line) => (line.startsWith('+') || line.startsWith(' ') ? line.slice(1) : line));
      found.push({ file, line: i + 1, lang: 'diff', text: after.join('\n') });
    }
    i = j;
  }
  return found;
}

export interface Interface {
  /** action.yml's input names. */
  readonly actionInputs: ReadonlySet<string>;
  /** task.json's input names and aliases. */
  readonly taskInputs: ReadonlySet<string>;
}

export interface StepCheck {
  readonly kind: 'action' | 'task';
  readonly at: string;
  readonly keys: readonly string[];
}

export interface SnippetReport {
  readonly steps: StepCheck[];
  readonly problems: string[];
}

const ACTION = /^acr-login\/acr-login@/;
/** Any other spelling of this action (an old placeholder owner, a fork) is a problem in the docs. */
const OTHER_ACTION = /(^|\/)acr-login@/;
const TASK = /^AcrLogin@\d+$/;

function keysOf(node: unknown): string[] {
  if (!isMap(node)) return [];
  return node.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key)));
}

function walk(node: unknown, visit: (map: Node) => void): void {
  if (isMap(node)) {
    visit(node);
    for (const pair of node.items) walk(pair.value, visit);
  } else if (isSeq(node)) {
    for (const item of node.items) walk(item, visit);
  }
}

export function checkSnippet(snippet: Snippet, api: Interface): SnippetReport {
  const at = `${snippet.file}:${snippet.line}`;
  const steps: StepCheck[] = [];
  const problems: string[] = [];
  for (const doc of parseAllDocuments(snippet.text)) {
    if ('errors' in doc && doc.errors.length > 0) {
      problems.push(`${at}: the ${snippet.lang} example is not valid YAML: ${doc.errors[0]?.message ?? ''}`);
      continue;
    }
    walk(doc.contents, (map) => {
      if (!isMap(map)) return;
      const uses = map.get('uses');
      const task = map.get('task');
      if (typeof uses === 'string' && OTHER_ACTION.test(uses) && !ACTION.test(uses)) {
        problems.push(`${at}: "uses: ${uses}" should name acr-login/acr-login`);
      }
      if (typeof uses === 'string' && ACTION.test(uses)) {
        const keys = keysOf(map.get('with', true));
        steps.push({ kind: 'action', at, keys });
        for (const key of keys)
          if (!api.actionInputs.has(key))
            problems.push(`${at}: "with: ${key}" is not an input of action.yml`);
      }
      if (typeof task === 'string' && TASK.test(task)) {
        const keys = keysOf(map.get('inputs', true));
        steps.push({ kind: 'task', at, keys });
        for (const key of keys)
          if (!api.taskInputs.has(key)) problems.push(`${at}: "inputs: ${key}" is not an input of task.json`);
      }
    });
  }
  return { steps, problems };
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const slug = (heading[1] ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/**
 * Links that point into this repository: relative ones, and absolute ones to
 * github.com/acr-login/acr-login (the README by default, or `blob/main/<path>`), as file and anchor.
 */
export function repositoryLinks(text: string, from: string): { target: string; anchor?: string }[] {
  const links: { target: string; anchor?: string }[] = [];
  const prose = text.replace(/```[\s\S]*?```/g, '');
  for (const match of prose.matchAll(
    /\]\(([^)\s]+)\)|(https:\/\/github\.com\/acr-login\/acr-login[^)\s"'`]*)/g,
  )) {
    const url = match[1] ?? match[2] ?? '';
    const [path = '', anchor] = url.split('#');
    const own = /^https:\/\/github\.com\/acr-login\/acr-login(?:\/blob\/main\/(.+))?\/?$/.exec(path);
    let target: string;
    if (own) target = own[1] ?? 'README.md';
    else if (/^[a-z]+:/.test(path)) continue;
    else target = path === '' ? from : posixJoin(posixDirname(from), path);
    links.push(anchor === undefined ? { target } : { target, anchor });
  }
  return links;
}

const posixDirname = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.');

function posixJoin(dir: string, path: string): string {
  const parts: string[] = [];
  for (const part of `${dir}/${path}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}
