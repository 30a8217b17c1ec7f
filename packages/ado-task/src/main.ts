import { runStep } from '@acr-login/core';
import { taskHost } from './host.ts';

/** The task's main and post-job step; `entryUrl` is the bundle's, beside task.json. */
export async function run(entryUrl: string): Promise<void> {
  await runStep(taskHost(entryUrl));
}
