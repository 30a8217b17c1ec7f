import { format, type Host, STEP_MESSAGES, type StepMessage } from './host.ts';

/**
 * The whole step, for either CI: main and post are one program, told apart by the state the main step
 * saves first (as docker/login-action does), so an adapter ships one bundle.
 */
export async function runStep(host: Host): Promise<void> {
  // Each step loads only its own code: starting a step is mostly compiling it.
  if (host.loadState('isPost') === 'true') return (await import('./post-step.ts')).runLogout(host);
  host.saveState('isPost', 'true');
  return (await import('./main-step.ts')).runLogin(host);
}

/** Core's English for a step message. */
export function englishText(id: StepMessage, ...params: string[]): string {
  return format(STEP_MESSAGES[id], params);
}
