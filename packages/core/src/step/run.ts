import { format, type Host, STEP_MESSAGES, type StepMessage } from './host.ts';
import { runLogin } from './main-step.ts';
import { runLogout } from './post-step.ts';

export { runLogin } from './main-step.ts';
export { entries, runLogout } from './post-step.ts';

/**
 * The whole step, for either CI: main and post are one program, told apart by the state the main step
 * saves first (as docker/login-action does), so an adapter ships one bundle.
 */
export async function runStep(host: Host): Promise<void> {
  if (host.loadState('isPost') === 'true') return runLogout(host);
  host.saveState('isPost', 'true');
  return runLogin(host);
}

/** Core's English for a step message. */
export function englishText(id: StepMessage, ...params: string[]): string {
  return format(STEP_MESSAGES[id], params);
}
