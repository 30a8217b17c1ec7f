import { errorMessage } from '../errors.ts';
import { logout, parseState } from '../logout.ts';
import type { Host } from './host.ts';
import { failStep, hostLogger } from './step-inputs.ts';

/**
 * The post step: each cleanup runs whatever became of the one before it, so an unreadable renewal state does
 * not leave the login's credentials in the files; the first failure fails the step, the others warn.
 */
export async function runLogout(host: Host): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of [endRenewal, removeOwnPullSecret, undoLogin]) {
    try {
      await cleanup(host);
    } catch (error) {
      errors.push(error);
    }
  }
  for (const error of errors.slice(1)) host.warning(errorMessage(error));
  if (errors.length > 0) failStep(host, errors[0]);
}

/**
 * The renewal goes whatever `logout` says: its agent must not outlive the job (it holds the identity's
 * secret), and an entry naming a missing helper would break the registry for the next job. Without
 * renewal, a job that outlived its credentials gets a warning naming `renew`: that is where a user looks
 * after a 401 at the push.
 */
async function endRenewal(host: Host): Promise<void> {
  const saved = host.loadState('renewal');
  if (saved !== '') {
    // The renewal's code loads only for a step that set one up, as in the main step.
    const { parseRenewalRecord, stopRenewal } = await import('./renewal-setup.ts');
    const stopped = await stopRenewal(parseRenewalRecord(saved));
    host.info(host.text('RenewalStopped', String(stopped.removed), String(stopped.restored)));
    for (const skipped of stopped.skipped) {
      host.warning(host.text('LeftEntry', skipped.key, skipped.file, skipped.reason));
    }
    return;
  }
  const expiresOn = Date.parse(host.loadState('expiresOn'));
  if (Number.isFinite(expiresOn) && Date.now() > expiresOn) {
    host.warning(host.text('Outlived', new Date(expiresOn).toISOString(), host.words.input('renew')));
  }
}

/** The pull secret goes whatever `logout` says: it exists for this job's deployments only. */
async function removeOwnPullSecret(host: Host): Promise<void> {
  const file = host.loadState('pullSecretFile');
  if (file === '') return;
  try {
    const { removePullSecret } = await import('../clients/pull-secret.ts');
    if (await removePullSecret(file)) host.info(host.text('PullSecretRemoved', file));
  } catch (error) {
    host.warning(errorMessage(error));
  }
}

/** Takes the login's entries out of the client files, unless `logout` is false. */
async function undoLogin(host: Host): Promise<void> {
  // A login step that failed or never ran saved no state: there is nothing to undo.
  const saved = host.loadState('loginState');
  const state = saved === '' ? undefined : parseState(saved);
  if (state === undefined || state.entries.length === 0) {
    host.info(host.text('NothingToLogOut'));
    return;
  }
  if (host.loadState('logout') !== 'true') {
    host.info(host.text('LogoutDisabled'));
    return;
  }
  const outcome = await logout(state, { logger: hostLogger(host, true), env: host.env });
  host.info(host.text('LoggedOut', entries(outcome.removed), entries(outcome.restored)));
  for (const skipped of outcome.skipped) {
    host.warning(host.text('LeftEntry', skipped.key, skipped.file, skipped.reason));
  }
}

/** "1 credential entry", "2 credential entries". */
function entries(count: number): string {
  return `${count} credential ${count === 1 ? 'entry' : 'entries'}`;
}
