import { resolve } from 'node:path';
import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError } from '../errors.ts';
import type { LoginResult } from '../login-result.ts';
import type { LoginPlan } from '../plan/login-plan.ts';
import { notRenewable } from '../renew/renewable.ts';
import { type RenewalRecord, type StartRenewalOptions, startRenewal } from '../renew/setup.ts';
import { input } from '../wording.ts';
import type { Host } from './host.ts';
import { maskSecret } from './step-inputs.ts';

// The main and the post step load this module only when a renewal is asked for or was set up.
export { checkRenewalAgent, stopRenewal } from '../renew/setup.ts';

/** Where the credential helper lives: the job's temp directory, whose helper folder the host puts on PATH. */
export function renewalTempDir(host: Host): string {
  const tempDir = host.tempDir?.();
  if (tempDir === undefined || tempDir === '' || host.addPath === undefined) {
    throw new AcrLoginError(
      'INPUT_INVALID',
      `${input('renew')} needs the job's temp directory (RUNNER_TEMP, Agent.TempDirectory) to keep its credential helper in, and this runner gives none. Set ${input('renew')} to false.`,
      { input: 'renew' },
    );
  }
  return tempDir;
}

/**
 * `renew: true`: the credential helper, its state and its `credHelpers` entries, with the helper's folder on
 * PATH for the later steps. Nothing for a login with nothing to renew: one line says why.
 */
export async function setUpRenewal(
  host: Host,
  plan: LoginPlan,
  result: LoginResult,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RenewalRecord | undefined> {
  const reason = notRenewable(plan);
  if (reason !== undefined) {
    host.info(host.text('NothingToRenew', host.words.input('renew'), reason));
    return undefined;
  }
  const tempDir = renewalTempDir(host);
  const oidc = renewalOidc(host, plan);
  const proxy = host.renewalProxy?.();
  const tls = host.renewalTls?.();
  const record = await startRenewal({
    plan,
    result,
    tempDir,
    node: process.execPath,
    // The bundle running this step answers `credential-helper` too.
    bundle: resolve(process.argv[1] ?? ''),
    platform: process.platform,
    env,
    clock: { now: () => Date.now() },
    ...oidc,
    ...(proxy === undefined ? {} : { proxy }),
    ...(tls === undefined ? {} : { tls }),
    // The runner's worker, which runs every step of the job: the renewal agent ends with it.
    watchPid: process.ppid,
  });
  host.saveState('renewal', JSON.stringify(record));
  host.addPath?.(record.binDir);
  return record;
}

/** The host's OIDC request details, when the plan's auth type is the one they serve, as the renewal takes them. */
function renewalOidc(
  host: Host,
  plan: LoginPlan,
): Pick<StartRenewalOptions, 'githubOidc' | 'adoOidcRequestUri'> {
  const oidc = host.renewalOidc?.();
  if (oidc === undefined || oidc.authType !== plan.authType) return {};
  if (oidc.authType === 'azure-pipelines') {
    return oidc.requestUri === '' ? {} : { adoOidcRequestUri: oidc.requestUri };
  }
  // Masked here too: the renewal keeps the request token, and a host may not have masked it yet.
  maskSecret(host, oidc.requestToken);
  return { githubOidc: { requestUrl: oidc.requestUrl, requestToken: oidc.requestToken } };
}

/** The record the main step saved, read back by the post step. */
export function parseRenewalRecord(text: string): RenewalRecord {
  try {
    const record = JSON.parse(text) as RenewalRecord;
    if (typeof record.dir === 'string' && Array.isArray(record.entries)) return record;
  } catch {
    // fall through
  }
  throw new AcrLoginError('STATE_INVALID', ERROR_TEXTS.STATE_INVALID.renewalStateUnreadable);
}
