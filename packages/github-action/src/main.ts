import { runStep } from '@acr-login/core';
import { actionHost } from './host.ts';

/** The action's main and post step: one program, told apart by the state the main step saves. */
export async function run(): Promise<void> {
  await runStep(actionHost());
}
