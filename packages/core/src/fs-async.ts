import * as fs from 'node:fs';

// The file operations core uses, as promises over `node:fs`'s callbacks. Loading `node:fs/promises` costs a
// step's start about 2 ms on Node 20 and 6-7 ms on Node 24 (it brings readline, and on Node 24 the REPL's
// history, with it); `node:fs` is loaded in every Node process already. Same calls, same errors.

type Done<T> = (error: NodeJS.ErrnoException | null, value: T) => void;

function call<T>(run: (done: Done<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
}

export function readFile(path: string): Promise<Buffer>;
export function readFile(path: string, encoding: BufferEncoding): Promise<string>;
export function readFile(path: string, encoding?: BufferEncoding): Promise<Buffer | string> {
  return call<Buffer | string>((done) =>
    encoding === undefined ? fs.readFile(path, done) : fs.readFile(path, encoding, done),
  );
}

export function writeFile(
  path: string,
  data: string | Uint8Array,
  options: fs.WriteFileOptions,
): Promise<void> {
  return call<void>((done) => fs.writeFile(path, data, options, (error) => done(error, undefined)));
}

export const lstat = (path: string): Promise<fs.Stats> => call((done) => fs.lstat(path, done));
export const stat = (path: string): Promise<fs.Stats> => call((done) => fs.stat(path, done));
export const readdir = (path: string): Promise<string[]> => call((done) => fs.readdir(path, done));
export const readlink = (path: string): Promise<string> => call((done) => fs.readlink(path, done));
/** The system's realpath, as `fs/promises` calls it (not `fs.realpath`'s walk in JavaScript). */
export const realpath = (path: string): Promise<string> => call((done) => fs.realpath.native(path, done));

export const mkdir = (path: string, options: fs.MakeDirectoryOptions): Promise<string | undefined> =>
  call((done) => fs.mkdir(path, options, done));

const done0 = (done: Done<void>) => (error: NodeJS.ErrnoException | null) => done(error, undefined);
export const rm = (path: string, options?: fs.RmOptions): Promise<void> =>
  call((done) => fs.rm(path, options ?? {}, done0(done)));
export const rmdir = (path: string): Promise<void> => call((done) => fs.rmdir(path, done0(done)));
export const unlink = (path: string): Promise<void> => call((done) => fs.unlink(path, done0(done)));
export const rename = (from: string, to: string): Promise<void> =>
  call((done) => fs.rename(from, to, done0(done)));
export const chmod = (path: string, mode: number): Promise<void> =>
  call((done) => fs.chmod(path, mode, done0(done)));
export const copyFile = (from: string, to: string): Promise<void> =>
  call((done) => fs.copyFile(from, to, done0(done)));
export const symlink = (target: string, path: string, type: fs.symlink.Type): Promise<void> =>
  call((done) => fs.symlink(target, path, type, done0(done)));

/** An open file, with the few `FileHandle` methods core uses. */
export interface OpenFile {
  writeFile(text: string): Promise<void>;
  /** `text` at byte `position`. */
  write(text: string, position: number): Promise<void>;
  chmod(mode: number): Promise<void>;
  chown(uid: number, gid: number): Promise<void>;
  stat(): Promise<fs.Stats>;
  close(): Promise<void>;
}

export async function open(path: string, flags: string, mode?: number): Promise<OpenFile> {
  const fd = await call<number>((done) => fs.open(path, flags, mode, done));
  return {
    writeFile: (text) => call((done) => fs.writeFile(fd, text, done0(done))),
    write: (text, position) =>
      call((done) => fs.write(fd, text, position, (error) => done(error, undefined))),
    chmod: (value) => call((done) => fs.fchmod(fd, value, done0(done))),
    chown: (uid, gid) => call((done) => fs.fchown(fd, uid, gid, done0(done))),
    stat: () => call((done) => fs.fstat(fd, done)),
    close: () => call((done) => fs.close(fd, done0(done))),
  };
}
