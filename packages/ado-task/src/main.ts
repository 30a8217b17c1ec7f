import { EOL } from 'node:os';
import { runStep } from '@acr-login/core';
import { formatCommand } from './agent.ts';
import { taskHost } from './host.ts';

/** The task's main and post-job step; `entryUrl` is the bundle's, beside task.json. */
export async function run(entryUrl: string): Promise<void> {
  try {
    await runStep(taskHost(entryUrl));
  } catch (error) {
    // An error before the host can report it (task.json unreadable, agent variables that are not JSON): the
    // agent still shows it as the task's error, as task-lib's process handlers made it.
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(
      `${formatCommand('task.issue', { type: 'error' }, message)}${EOL}` +
        `${formatCommand('task.complete', { result: 'Failed' }, message)}${EOL}`,
    );
    process.exitCode = 1;
  }
}
