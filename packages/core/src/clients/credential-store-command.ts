import { win32 } from 'node:path';
import { stat } from '../fs-async.ts';

/** How to start a helper: the program, its arguments, and whether they go to Windows as they are. */
export interface HelperCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly verbatim: boolean;
}

/** A variable of `env` by name, ignoring case as Windows does (`Path`, `PathExt`, `ComSpec`). */
function windowsVariable(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const key = Object.keys(env).find((candidate) => candidate.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (stats) => stats.isFile(),
    () => false,
  );
}

/**
 * How docker would start `program action`. Elsewhere than Windows, the program by name: the system searches
 * PATH. On Windows, docker (Go's exec.LookPath) tries each PATH directory with each PATHEXT extension, so a
 * helper may be a `.cmd` or `.bat` script; Node finds only `.exe` and `.com`, and runs a script only through
 * cmd.exe. Not found: the program by name, whose start then fails as not installed.
 */
export async function helperCommand(
  program: string,
  action: string,
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  exists: (path: string) => Promise<boolean> = isFile,
): Promise<HelperCommand> {
  if (platform !== 'win32') return { file: program, args: [action], verbatim: false };
  const extensions = (windowsVariable(env, 'PATHEXT') ?? '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .map((extension) => extension.trim().toLowerCase())
    .filter((extension) => extension.startsWith('.'));
  const directories = (windowsVariable(env, 'PATH') ?? '')
    .split(';')
    .map((directory) => directory.trim().replace(/^"(.*)"$/, '$1'))
    .filter((directory) => directory !== '');
  for (const directory of directories) {
    for (const extension of extensions) {
      const path = win32.join(directory, `${program}${extension}`);
      if (!(await exists(path))) continue;
      if (extension !== '.bat' && extension !== '.cmd')
        return { file: path, args: [action], verbatim: false };
      // As Node runs a command with `shell: true`: the whole line quoted once for cmd.exe's /s rule.
      const shell = windowsVariable(env, 'COMSPEC') ?? 'cmd.exe';
      return { file: shell, args: ['/d', '/s', '/c', `""${path}" ${action}"`], verbatim: true };
    }
  }
  return { file: program, args: [action], verbatim: false };
}
