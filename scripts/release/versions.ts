/**
 * One version for everything a release ships: the root and workspace package.json files (and the
 * workspaces' references to each other), their package-lock.json entries, task.json and
 * vss-extension.json. The Marketplace rejects an extension whose version did not grow, agents update a
 * task only when its version grows, and the GitHub release is named by the tag: all of them must agree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** Where a version was read: a file and the place inside it. */
export interface VersionSite {
  readonly file: string;
  readonly where: string;
  readonly version: string;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export const format = (v: Version): string => `${v.major}.${v.minor}.${v.patch}`;

/**
 * `1.2.3` only: task.json holds integer Major, Minor and Patch, so a pre-release or build suffix has no
 * place in the task version and would make the two products disagree.
 */
export function parseVersion(text: string): Version {
  const match = SEMVER.exec(text.trim());
  if (match === null) {
    throw new Error(
      `"${text}" is not a version of the form MAJOR.MINOR.PATCH (for example 1.2.3); pre-release suffixes cannot be expressed in task.json.`,
    );
  }
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** A release tag is `v` and the version, e.g. `v1.2.3`; the release workflow runs on nothing else. */
export function parseTag(tag: string): Version {
  const name = tag.replace(/^refs\/tags\//, '');
  if (!name.startsWith('v')) {
    throw new Error(`Tag "${tag}" does not start with "v": release tags look like v1.2.3.`);
  }
  try {
    return parseVersion(name.slice(1));
  } catch {
    throw new Error(`Tag "${tag}" is not of the form vMAJOR.MINOR.PATCH (for example v1.2.3).`);
  }
}

/** The major tag a release moves, e.g. `v1` for v1.2.3: what workflows write after `@`. */
export const majorTag = (v: Version): string => `v${v.major}`;

interface PackageJson {
  name?: string;
  version?: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
}

interface LockFile {
  version?: string;
  packages: Record<string, PackageJson>;
}

const readJson = <T>(root: string, file: string): T =>
  JSON.parse(readFileSync(join(root, file), 'utf8')) as T;

function workspaces(root: string): string[] {
  return readJson<PackageJson>(root, 'package.json').workspaces ?? [];
}

function workspaceNames(root: string): Set<string> {
  return new Set(
    workspaces(root).flatMap((dir) => readJson<PackageJson>(root, join(dir, 'package.json')).name ?? []),
  );
}

/** Every place a version lives, as found on disk. A missing version reads as "(none)". */
export function readVersions(root: string): VersionSite[] {
  const sites: VersionSite[] = [];
  const names = workspaceNames(root);
  const add = (file: string, where: string, version: string | undefined) =>
    sites.push({ file, where, version: version ?? '(none)' });
  const internalDeps = (file: string, where: string, deps: Record<string, string> | undefined) => {
    for (const [name, range] of Object.entries(deps ?? {}))
      if (names.has(name)) add(file, `${where}dependencies["${name}"]`, range);
  };

  add('package.json', 'version', readJson<PackageJson>(root, 'package.json').version);
  for (const dir of workspaces(root)) {
    const file = join(dir, 'package.json');
    const pkg = readJson<PackageJson>(root, file);
    add(file, 'version', pkg.version);
    internalDeps(file, '', pkg.dependencies);
  }

  const lock = readJson<LockFile>(root, 'package-lock.json');
  add('package-lock.json', 'version', lock.version);
  add('package-lock.json', 'packages[""].version', lock.packages['']?.version);
  for (const dir of workspaces(root)) {
    const entry = lock.packages[dir];
    add('package-lock.json', `packages["${dir}"].version`, entry?.version);
    internalDeps('package-lock.json', `packages["${dir}"].`, entry?.dependencies);
  }

  const task = readJson<{ version?: Record<string, unknown> }>(root, 'task.json').version ?? {};
  add('task.json', 'version', [task.Major, task.Minor, task.Patch].map((p) => String(p ?? '?')).join('.'));
  add('vss-extension.json', 'version', readJson<{ version?: string }>(root, 'vss-extension.json').version);
  return sites;
}

/**
 * The sites that disagree with `expected` (the tag's version), or, without a tag, with the root
 * package.json. Empty means every version agrees.
 */
export function disagreements(root: string, expected?: Version): VersionSite[] {
  const sites = readVersions(root);
  const want = expected === undefined ? sites[0]?.version : format(expected);
  return sites.filter((site) => site.version !== want);
}

/** Replace the value of the first `"key": "..."` in a JSON text, keeping the file's layout. */
function replaceFirst(text: string, key: string, value: string, file: string): string {
  const pattern = new RegExp(`("${key.replace(/[/@]/g, '\\$&')}"\\s*:\\s*")[^"]*(")`);
  if (!pattern.test(text)) throw new Error(`${file}: no "${key}" to update`);
  return text.replace(pattern, `$1${value}$2`);
}

/** Insert or update `"version"` right after `"name"`, as npm orders the keys. */
function setVersionAfterName<T extends PackageJson>(object: T, version: string): T {
  if ('version' in object) return { ...object, version };
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    result[key] = value;
    if (key === 'name') result.version = version;
  }
  return result as T;
}

/**
 * Sets every version site to `version` and returns the files it changed. Small hand-formatted files are
 * edited in place (their layout is kept); package-lock.json is rewritten as npm writes it.
 */
export function bumpVersion(root: string, version: Version): string[] {
  const next = format(version);
  const names = workspaceNames(root);
  const changed: string[] = [];
  const edit = (file: string, change: (text: string) => string) => {
    const path = join(root, file);
    const before = readFileSync(path, 'utf8');
    const after = change(before);
    if (after !== before) {
      writeFileSync(path, after);
      changed.push(file);
    }
  };

  edit('package.json', (text) =>
    'version' in (JSON.parse(text) as PackageJson)
      ? replaceFirst(text, 'version', next, 'package.json')
      : text.replace(/("name"\s*:\s*"[^"]*",)(\n(\s*))/, `$1$2"version": "${next}",$2`),
  );
  for (const dir of workspaces(root)) {
    const file = join(dir, 'package.json');
    edit(file, (text) => {
      let result = replaceFirst(text, 'version', next, file);
      for (const name of Object.keys((JSON.parse(text) as PackageJson).dependencies ?? {}))
        if (names.has(name)) result = replaceFirst(result, name, next, file);
      return result;
    });
  }

  edit('package-lock.json', (text) => {
    const lock = setVersionAfterName(JSON.parse(text) as LockFile & PackageJson, next);
    const top = lock.packages[''];
    if (top !== undefined) lock.packages[''] = setVersionAfterName(top, next);
    for (const dir of workspaces(root)) {
      const entry = lock.packages[dir];
      if (entry === undefined)
        throw new Error(`package-lock.json: no entry for the workspace "${dir}"; run npm install`);
      const dependencies = entry.dependencies;
      if (dependencies !== undefined)
        for (const name of Object.keys(dependencies)) if (names.has(name)) dependencies[name] = next;
      lock.packages[dir] = setVersionAfterName(entry, next);
    }
    return `${JSON.stringify(lock, null, 2)}\n`;
  });

  edit('task.json', (text) => {
    const pattern = /("version"\s*:\s*\{)([^}]*)(\})/;
    const match = pattern.exec(text);
    if (match === null) throw new Error('task.json: no "version" object to update');
    const parts = { Major: version.major, Minor: version.minor, Patch: version.patch };
    let body = match[2] ?? '';
    for (const [key, value] of Object.entries(parts)) {
      const part = new RegExp(`("${key}"\\s*:\\s*)"?\\d+"?`);
      if (!part.test(body)) throw new Error(`task.json: "version" has no "${key}"`);
      body = body.replace(part, `$1${value}`);
    }
    return text.replace(pattern, `$1${body}$3`);
  });
  edit('vss-extension.json', (text) => replaceFirst(text, 'version', next, 'vss-extension.json'));
  return changed;
}
