import { AcrLoginError } from '../errors.ts';
import { input } from '../wording.ts';
import { splitList } from './values.ts';

/**
 * The `repositories` input: which repositories the job will pull from or push to, so the login can check
 * the grants before the build starts instead of failing at the push 20 minutes later.
 *
 * One entry per line or comma: `name`, `name:pull` (the default) or `name:push` (pull and push), optionally
 * prefixed by a logged-in registry (`contoso.azurecr.io/app:push`), which is required when the step logs in
 * to more than one.
 */

export type RepositoryAction = 'pull' | 'push';

export interface RepositoryRequest {
  /** One of the login servers the step logs in to. */
  readonly loginServer: string;
  /** Lower-case repository name, e.g. `team/app`. */
  readonly repository: string;
  /** `['pull']` or `['pull', 'push']`: push needs pull too (a push reads the blobs it mounts). */
  readonly actions: readonly RepositoryAction[];
}

// distribution spec: path components of lower-case alphanumerics joined by one of `.`, `_`, `__`, `-+`.
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY_NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
/** Clients refuse a reference whose `registry/name` is longer than this (distribution spec). */
const MAX_REFERENCE = 255;

const ACCESS: Readonly<Record<string, readonly RepositoryAction[]>> = {
  pull: ['pull'],
  push: ['pull', 'push'],
};

function invalid(entry: string, rule: string): AcrLoginError {
  return new AcrLoginError('INPUT_INVALID', `${input('repositories')} entry "${entry}": ${rule}`, {
    input: 'repositories',
  });
}

/** Docker's rule: the first path component is a registry when it has a dot or a port, or is localhost. */
function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component.toLowerCase() === 'localhost';
}

function parseEntry(entry: string, loginServers: readonly string[], previous?: string): RepositoryRequest {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) {
    throw invalid(
      entry,
      `give a repository, not a URL: "${entry.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')}" (no scheme).`,
    );
  }
  if (entry.includes('@')) {
    throw invalid(
      entry,
      'a digest does not belong here: give the repository only, followed by ":pull" (the default) or ":push".',
    );
  }
  const slash = entry.indexOf('/');
  const first = slash < 0 ? '' : entry.slice(0, slash);
  const prefixed = slash >= 0 && looksLikeHost(first);
  const rest = prefixed ? entry.slice(slash + 1) : entry;

  // The access is after the last colon of the repository part (a prefix's port has its colon before a slash).
  const colon = rest.lastIndexOf(':');
  const name = colon < 0 ? rest : rest.slice(0, colon);
  const access = colon < 0 ? 'pull' : rest.slice(colon + 1).toLowerCase();
  const actions = ACCESS[access];
  if (actions === undefined) {
    throw invalid(
      entry,
      `":${rest.slice(colon + 1)}" is not an access. End an entry with ":pull" (the default) or ":push" (pull and push); tags do not belong here: "${prefixed ? `${first}/` : ''}${name}:push".`,
    );
  }
  if (name === '') throw invalid(entry, 'the repository name is missing: give it before ":pull" or ":push".');
  if (!prefixed && colon < 0 && (name === 'push' || name === 'pull')) {
    const fix = previous === undefined ? '"app:push"' : `"${previous.replace(/:[^:/]*$/, '')}:push"`;
    throw invalid(
      entry,
      `"${name}" looks like the access of the entry before it, cut off at the comma: write ${fix} (push means pull and push). For a repository really named "${name}", write "${name}:pull".`,
    );
  }
  if (!prefixed && loginServers.includes(name.toLowerCase())) {
    throw invalid(entry, `this is a registry; name a repository on it: "${name.toLowerCase()}/app:push".`);
  }
  if (!REPOSITORY_NAME.test(name)) {
    const lower = name.toLowerCase();
    const fix = lower !== name && REPOSITORY_NAME.test(lower) ? ` Use "${lower}".` : '';
    throw invalid(
      entry,
      `"${name}" is not a repository name. Names are lower-case letters and digits, separated by ".", "_", "__" or "-" inside a path component and by "/" between components, as in "team/app".${fix}`,
    );
  }

  const loginServer = prefixed
    ? registryOf(entry, first.toLowerCase(), name, loginServers)
    : onlyRegistry(entry, name, loginServers);
  if (loginServer.length + 1 + name.length > MAX_REFERENCE) {
    throw invalid(
      entry,
      `"${loginServer}/${name}" is longer than ${MAX_REFERENCE} characters, which clients refuse. Use a shorter repository name.`,
    );
  }
  return { loginServer, repository: name, actions };
}

function registryOf(entry: string, prefix: string, name: string, loginServers: readonly string[]): string {
  const host = prefix.replace(/:443$/, '');
  if (loginServers.includes(host)) return host;
  throw invalid(
    entry,
    `"${prefix}" is not a registry this step logs in to (${list(loginServers)}). Add it to ${input('registry')}, or prefix the entry with one of those: "${loginServers[0] ?? prefix}/${name}".`,
  );
}

function onlyRegistry(entry: string, name: string, loginServers: readonly string[]): string {
  const [only, ...others] = loginServers;
  if (only === undefined) {
    throw invalid(entry, `there is no registry to check it on: give ${input('registry')} as well.`);
  }
  if (others.length === 0) return only;
  // `contoso/app` with several registries: "contoso" is most likely the registry's name.
  const firstComponent = name.split('/')[0] ?? '';
  const named = loginServers.find((server) => server.split('.')[0] === firstComponent);
  const example =
    named !== undefined && name.includes('/')
      ? `"${named}/${name.slice(firstComponent.length + 1)}"`
      : `"${only}/${name}"`;
  throw invalid(
    entry,
    `this step logs in to more than one registry (${list(loginServers)}), so each entry starts with its registry's login server, for example ${example}.`,
  );
}

function list(items: readonly string[]): string {
  return items.join(', ');
}

/**
 * Every entry of `repositories`, checked against the login servers the step logs in to. Entries naming the
 * same repository are merged, the widest access winning. Empty input: nothing to check.
 */
export function parseRepositories(text: string, loginServers: readonly string[]): RepositoryRequest[] {
  const merged = new Map<string, RepositoryRequest>();
  let before: string | undefined;
  for (const entry of splitList(text)) {
    const request = parseEntry(entry, loginServers, before);
    before = entry;
    const key = `${request.loginServer}/${request.repository}`;
    const seen = merged.get(key);
    if (seen === undefined || seen.actions.length < request.actions.length) merged.set(key, request);
  }
  return [...merged.values()];
}
