import { EOL } from 'node:os';
import { runStep } from '@acr-login/core';
import { formatCommand } from './agent.ts';
import { taskHost } from './host.ts';

type Write = (text: string, done?: () => void) => void;

const stdout: Write = (text, done) => {
  process.stdout.write(text, done);
};

/** The task's error issue and `Failed`, as the agent shows a failure; `prefix` goes before them. */
function reportFailure(error: unknown, write: Write, prefix = '', done?: () => void): void {
  const message = error instanceof Error ? error.message : String(error);
  process.exitCode = 1;
  write(
    prefix +
      `${formatCommand('task.issue', { type: 'error' }, message)}${EOL}` +
      `${formatCommand('task.complete', { result: 'Failed' }, message)}${EOL}`,
    done,
  );
}

/**
 * As task-lib's process handlers did: an exception or a rejection that no code path catches (a callback
 * of a library, a promise nobody awaited) still ends the task with its error issue and `Failed`, and
 * the process exits once that is written, as Node would have without the handlers.
 */
export function installFailureHandlers(write: Write = stdout): void {
  const fail = (error: unknown): void => {
    // Where it came from is for whoever fixes it: in the debug log only.
    const stack = error instanceof Error && error.stack !== undefined ? error.stack : undefined;
    const debug = stack === undefined ? '' : `${formatCommand('task.debug', {}, stack)}${EOL}`;
    reportFailure(error, write, debug, () => process.exit(1));
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}

/** The task's main and post-job step; `entryUrl` is the bundle's, beside task.json. */
export async function run(entryUrl: string): Promise<void> {
  try {
    await runStep(taskHost(entryUrl));
  } catch (error) {
    // An error before the host can report it (task.json unreadable, agent variables that are not JSON): the
    // agent still shows it as the task's error.
    reportFailure(error, stdout);
  }
}
