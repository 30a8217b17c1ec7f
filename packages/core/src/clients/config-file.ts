import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { AcrLoginError } from '../errors.ts';
import { lstat, mkdir, open, readFile, readlink, realpath, rename, unlink } from '../fs-async.ts';
import { errnoOf, reachStep, retryTransient, stillHolds } from './fs.ts';

export { errnoOf } from './fs.ts';

/** A parsed credentials file: a JSON object whose unknown keys are kept as they are. */
export type ConfigObject = Record<string, unknown>;

/** A JSON object, not an array or null: what config files and their entries are. */
export function isObject(value: unknown): value is ConfigObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function writeFailed(file: string, error: unknown, doing: string): AcrLoginError {
  const code = errnoOf(error);
  // EEXIST and ENOTDIR: a file stands where the path needs a directory, which no permission fixes.
  const fix = ['EEXIST', 'ENOTDIR'].includes(code)
    ? 'A file stands where its path needs a directory: move that file away'
    : 'Credentials files must be writable by the user running the login: fix the permissions or free space';
  return new AcrLoginError(
    'CONFIG_WRITE_FAILED',
    `Cannot ${doing} "${file}": ${code}. ${fix}, or point the client at another file (DOCKER_CONFIG, ` +
      'REGISTRY_AUTH_FILE, HELM_REGISTRY_CONFIG).',
    { cause: error, details: { file, errno: code } },
  );
}

/**
 * The file to edit for `file`: a symlink is followed so that the link itself survives the rename (dotfile
 * managers link config files), and the directory is canonicalised so that two spellings of one file share
 * one lock.
 */
export async function resolveTarget(file: string): Promise<string> {
  let current = resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    let isLink: boolean;
    try {
      isLink = (await lstat(current)).isSymbolicLink();
    } catch {
      break;
    }
    if (!isLink) break;
    current = resolve(dirname(current), await readlink(current));
  }
  try {
    return join(await realpath(dirname(current)), basename(current));
  } catch {
    return current;
  }
}

/**
 * V8's JSON.parse messages quote a slice of the input, which may hold another registry's credentials: keep
 * only the description and turn the position into a line and column.
 */
function describeParseError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const quote = message.indexOf('"');
  let description = (quote === -1 ? message : message.slice(0, quote)).replace(/[\s,]+$/, '');
  description = description.replace(/ in JSON at position \d+.*$/, '');
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return description;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${description} at line ${line} column ${column}`;
}

function corrupt(file: string, problem: string): AcrLoginError {
  return new AcrLoginError(
    'CONFIG_CORRUPT',
    `"${file}" is not a JSON object (${problem}), so docker, podman and helm cannot read it either. ` +
      'It was left untouched: repair it, or delete it if it holds nothing you need, and run again.',
    { details: { file } },
  );
}

/** How a file we read was laid out, so that rewriting it (and logout) keeps the user's formatting. */
interface Layout {
  readonly indent: string;
  readonly finalNewline: boolean;
}

const DOCKER_LAYOUT: Layout = { indent: '\t', finalNewline: false };
const layouts = new WeakMap<ConfigObject, Layout>();

export function detectLayout(text: string): Layout {
  const body = text.trim();
  const compact = body !== '{}' && body !== '' && !body.includes('\n');
  const indent = /^\{\r?\n([ \t]+)"/.exec(text)?.[1] ?? (compact ? '' : '\t');
  return { indent, finalNewline: text.endsWith('\n') };
}

/** `undefined` when the file does not exist; `{}` for an empty file, like docker. */
export async function readConfig(file: string): Promise<ConfigObject | undefined> {
  const bytes = await readConfigBytes(file);
  return bytes === undefined ? undefined : parseConfig(file, bytes.toString('utf8'));
}

/** A config file's bytes, `undefined` when it does not exist. */
export async function readConfigBytes(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw writeFailed(file, error, 'read');
  }
}

/** The config `file` holds as `text`; CONFIG_CORRUPT, naming the file, when it is not one. */
export function parseConfig(file: string, text: string): ConfigObject {
  // PowerShell 5 writes UTF-8 with a byte order mark. JSON has none, and Go's decoder (docker, podman, helm)
  // rejects it, so it is dropped here and the file is written back without it.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, describeParseError(text, error));
  }
  if (value === null) throw corrupt(file, 'it holds null');
  if (Array.isArray(value)) throw corrupt(file, 'it holds an array');
  if (typeof value !== 'object') throw corrupt(file, `it holds a ${typeof value}`);
  const config = value as ConfigObject;
  layouts.set(config, detectLayout(text));
  const auths = config.auths;
  if (auths !== undefined && (auths === null || typeof auths !== 'object' || Array.isArray(auths))) {
    throw corrupt(file, '"auths" is not an object');
  }
  return config;
}

/**
 * A file we read keeps its indentation and final newline; a new one is written like docker writes its
 * config (json.MarshalIndent(..., "", "\t"), no final newline).
 */
export function serialise(config: ConfigObject): string {
  const layout = layouts.get(config) ?? DOCKER_LAYOUT;
  const text = layout.indent === '' ? JSON.stringify(config) : JSON.stringify(config, null, layout.indent);
  return layout.finalNewline ? `${text}\n` : text;
}

export async function ensureDirectory(file: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw writeFailed(dirname(file), error, 'create the directory');
  }
}

const TEMP_SUFFIX = /^\.[0-9a-f]{12}\.tmp$/;

/** The temporary files `writeConfigAtomic` makes for `file`: `.<name>.<12 hex>.tmp` next to it. */
export function isTempOf(file: string, name: string): boolean {
  const prefix = `.${basename(file)}`;
  return name.startsWith(prefix) && TEMP_SUFFIX.test(name.slice(prefix.length));
}

/**
 * Replace `file` atomically: a reader sees the old or the new content, never a half-written file, even if
 * this process dies mid-way. The temporary file lives in the same directory so the rename cannot cross a
 * file system, and is created 0600 so the credentials are never readable by others, not even briefly. One
 * left by a writer that died is removed by the next lock holder (see lock.ts).
 * No fsync: it guards against an operating-system crash, which ends a CI job (and its credentials) anyway,
 * and it cost about 100 ms per file on CI disks.
 */
export async function writeConfigAtomic(file: string, config: ConfigObject): Promise<void> {
  try {
    await writeFileAtomic(file, serialise(config));
  } catch (error) {
    if (error instanceof AcrLoginError) throw error;
    throw writeFailed(file, error, 'write');
  }
}

function lockLost(file: string): AcrLoginError {
  return new AcrLoginError(
    'CONFIG_WRITE_FAILED',
    `Did not replace "${file}": the lock "${file}.lock" was taken from this process as abandoned (it was ` +
      'stopped for longer than 30 s, or another machine sharing the directory judged it so), and another ' +
      'process may be writing the file. Run again; keep the machine from suspending the job while it logs in.',
    { details: { file, lock: `${file}.lock` } },
  );
}

/**
 * What docker does when it rewrites its config: the new file keeps the old one's mode and, where this process
 * may give it away (root), its owner. A root job rewriting another user's config must not take it from them.
 */
async function keepOwnerAndMode(
  file: string,
  handle: { chmod(mode: number): Promise<void>; chown(uid: number, gid: number): Promise<void> },
): Promise<void> {
  let stats: Awaited<ReturnType<typeof lstat>>;
  try {
    stats = await lstat(file);
  } catch {
    // A new file: the temporary file's 0600 stands.
    return;
  }
  if (!stats.isFile()) return;
  await handle.chmod(stats.mode & 0o7777);
  if (process.platform === 'win32') return;
  if (stats.uid === process.getuid?.() && stats.gid === process.getgid?.()) return;
  // Only root may give a file away: elsewhere the file becomes the writer's, as with docker.
  await handle.chown(stats.uid, stats.gid).catch(() => {});
}

/**
 * `text` into `file` through a 0600 temporary file beside it and a rename: a reader sees the old or the new
 * content, never half of one. A file that exists keeps its mode and owner. Under `<file>.lock`, the rename
 * happens only while the lock is still ours. The temporary file is removed when anything fails; the error is
 * the file system's, or CONFIG_WRITE_FAILED when the lock was lost.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await reachStep('config:temp-created');
      await handle.writeFile(text);
      await keepOwnerAndMode(file, handle);
    } finally {
      await handle.close();
    }
    await reachStep('config:temp-written');
    if (!(await stillHolds(file))) throw lockLost(file);
    await retryTransient(() => rename(temp, file));
    await reachStep('config:replaced');
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

export async function removeFile(file: string): Promise<void> {
  try {
    await retryTransient(() => unlink(file));
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw writeFailed(file, error, 'delete');
  }
}
