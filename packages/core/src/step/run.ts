import { resolve } from 'node:path';
import { type IsolatedFiles, isolateClientFiles } from '../clients/isolate.ts';
import { CLIENT_FAMILY } from '../clients/paths.ts';
import { removePullSecret, writePullSecret } from '../clients/pull-secret.ts';
import { AcrLoginError, errorMessage } from '../errors.ts';
import { defaultDispatcher } from '../http.ts';
import { login, logout, parseState } from '../login.ts';
import type { LoginResult } from '../login-result.ts';
import type { PlanFacts } from '../plan/auto.ts';
import type { LoginPlan } from '../plan/login-plan.ts';
import { SECRET_INPUTS } from '../plan/names.ts';
import { planLogin } from '../plan/plan.ts';
import type { RepositoryAccess } from '../registry/access-protocol.ts';
import {
  checkRenewalAgent,
  notRenewable,
  type RenewalRecord,
  renewedServers,
  startRenewal,
  stopRenewal,
} from '../renew/setup.ts';
import {
  type Environment,
  LOGIN_INPUT_KEYS,
  type Logger,
  type LoginInputs,
  type StepInputKey,
} from '../types.ts';
import { input, render } from '../wording.ts';
import {
  format,
  type Host,
  type OutputName,
  STEP_MESSAGES,
  type StepMessage,
  type SummaryView,
} from './host.ts';
import { accessRows, failureText, loginOutputs, secretPieces } from './report.ts';

/**
 * The whole step, for either CI: main and post are one program, told apart by the state the main step
 * saves first (as docker/login-action does), so an adapter ships one bundle.
 */
export async function runStep(host: Host): Promise<void> {
  if (host.loadState('isPost') === 'true') return runLogout(host);
  host.saveState('isPost', 'true');
  return runLogin(host);
}

/** Masks a secret the moment it exists: line by line, as runners and agents redact. */
function maskSecret(host: Host, secret: string | undefined): void {
  for (const piece of secretPieces(secret ?? '')) host.mask(piece);
}

function parseBoolean(host: Host, key: StepInputKey, fallback: boolean): boolean {
  const value = host.input(key).trim();
  const normalised = value.toLowerCase();
  if (normalised === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(normalised)) return true;
  if (['false', 'no', '0', 'off'].includes(normalised)) return false;
  throw new AcrLoginError('INPUT_INVALID', `${input(key)} must be true or false, not "${value}".`, {
    input: key,
  });
}

/** The host's logger, with the registry password left unmasked when the user asked for it. */
function hostLogger(host: Host, maskPassword: boolean): Logger {
  let warned = false;
  return {
    debug: (message) => host.debug(message),
    info: (message) => host.info(message),
    warning: (message) => host.warning(message),
    mask(secret, kind) {
      if (kind === 'registry-password' && !maskPassword) {
        if (!warned) host.warning(host.text('PasswordUnmasked', host.words.input('maskPassword')));
        warned = true;
        return;
      }
      maskSecret(host, secret);
    },
  };
}

function failed(host: Host, error: unknown, plan?: LoginPlan): void {
  const note = plan?.note === undefined ? [] : [render(plan.note, host.words)];
  host.fail(failureText(error, host.words, [...note, ...(host.hints?.(error) ?? [])]));
}

export async function runLogin(host: Host): Promise<void> {
  let plan: LoginPlan | undefined;
  try {
    // Secret inputs are masked before anything else can print them.
    for (const key of [...SECRET_INPUTS, 'clientCertificate'] as const) maskSecret(host, host.input(key));
    const inputs = Object.fromEntries(
      LOGIN_INPUT_KEYS.flatMap((key) => {
        const value = host.input(key);
        return value.trim() === '' ? [] : [[key, value]];
      }),
    ) as unknown as LoginInputs;
    const logoutAfter = parseBoolean(host, 'logout', true);
    const renew = parseBoolean(host, 'renew', false);
    const isolate = parseBoolean(host, 'isolateConfig', true);
    const wantsPullSecret = parseBoolean(host, 'pullSecret', false);
    const logger = hostLogger(host, parseBoolean(host, 'maskPassword', true));
    const untrustedRun = host.untrustedRun?.();
    const facts: PlanFacts = {
      oidcAvailable: host.oidc?.available() ?? false,
      oidcUnavailableHint: host.oidc?.unavailableHint() ?? '',
      env: host.env,
      ...(untrustedRun === undefined ? {} : { untrustedRun }),
    };
    plan = planLogin({ ...inputs, registry: inputs.registry ?? '' }, facts);
    for (const secret of plan.secrets) maskSecret(host, secret);
    for (const line of host.intro?.() ?? []) host.info(line);
    if (plan.machineByDefault === true) {
      const notice = host.text(
        'MachineIdentity',
        host.words.input('authType'),
        host.words.authTypeSetting('managed-identity'),
      );
      if (host.notice === undefined) host.info(notice);
      else host.notice(notice);
    }
    host.info(
      host.text(
        'LoggingIn',
        plan.registries.map((r) => r.loginServer).join(', '),
        plan.authType,
        render(plan.reason, host.words),
      ),
    );

    // Before the login: a runner that cannot keep the helper and its agent fails the step before anything is
    // written.
    const renewing = renew && notRenewable(plan) === undefined;
    if (renewing) checkRenewalAgent(renewalTempDir(host), process.platform);
    const isolated = isolate ? await isolateFiles(host, plan) : undefined;
    // The clients' files are the job's own from here on: the login, renewal and outputs all use them.
    const env = isolated === undefined ? host.env : { ...host.env, ...isolated.variables };
    // One transport for the step, OIDC included, closed when the login is done.
    const dispatcher = host.dispatcher?.() ?? defaultDispatcher(host.env);
    const { oidc } = host;
    const environment: Environment = {
      logger,
      env,
      debug: host.debugging?.() ?? false,
      dispatcher,
      ...(oidc === undefined ? {} : { oidcToken: (audience: string) => oidc.token(audience, dispatcher) }),
      // The renewal's helper entry replaces the user's for these: the login need not, and may not be able
      // to, go through the user's helper.
      ...(renewing ? { renewed: renewedServers(plan) } : {}),
    };
    let result: LoginResult;
    try {
      result = await login(plan, environment);
    } finally {
      await dispatcher.close();
    }
    // Save state before anything else can fail, so the post step can undo what was written.
    host.saveState('loginState', JSON.stringify(result.state));
    host.saveState('logout', String(logoutAfter));
    // The post step removes this step's entries from the job's files but leaves the files: other actions'
    // post steps (a buildx builder's removal) still read DOCKER_CONFIG, and the runner empties the folder.
    for (const [name, value] of Object.entries(isolated?.variables ?? {})) host.exportVariable?.(name, value);
    // Only when asked (a second copy of the credential), only this step's registries, for
    // `kubectl create secret`; the post step removes it.
    const pullSecret = wantsPullSecret ? await writeOwnPullSecret(host, result.credentials) : undefined;
    if (pullSecret !== undefined) host.saveState('pullSecretFile', pullSecret);
    const outputs = loginOutputs(result);
    host.saveState('expiresOn', outputs.expiresOn);
    const renewal = renew ? await setUpRenewal(host, plan, result, env) : undefined;
    for (const [name, value] of Object.entries(outputs)) {
      host.setOutput(name as OutputName, value, name === 'password');
    }
    host.setOutput('pullSecretFile', pullSecret ?? '', false);
    host.setOutput('renews', String(renewal !== undefined), false);
    for (const credential of result.credentials) {
      host.info(
        credential.expiresOn === undefined
          ? host.text('LoggedIn', credential.loginServer, credential.identity)
          : host.text(
              'LoggedInUntil',
              credential.loginServer,
              credential.identity,
              credential.expiresOn.toISOString(),
            ),
      );
    }
    for (const [file, clients] of clientsByFile(result))
      host.info(host.text('ClientFile', clients.join(', '), file));
    if (isolated !== undefined) {
      const variables = Object.entries(isolated.variables).map(([name, value]) => `${name}=${value}`);
      host.info(host.text('JobFiles', variables.join(', ')));
    }
    for (const [loginServer, text] of accessLines(result.access)) {
      host.info(host.text('AccessGranted', loginServer, text));
    }
    if (pullSecret !== undefined) {
      const servers = result.credentials.filter((c) => c.password !== '').map((c) => c.loginServer);
      host.info(host.text('PullSecretFile', servers.join(', '), pullSecret));
    }
    const notes: string[] = [];
    if (renewal !== undefined) {
      notes.push(host.text('Renewing', renewal.helper, renewal.renewsAt));
    } else if (outputs.expiresOn !== '' && notRenewable(plan) === undefined) {
      notes.push(host.text('ExpiresNoRenew', outputs.expiresOn, host.words.input('renew')));
    }
    for (const note of notes) host.info(note);
    await host.summary?.(summaryView(result, plan, notes));
  } catch (error) {
    failed(host, error, plan);
  }
}

/**
 * `isolateConfig` (on by default): the job's own copies of the client files under its temp directory, so that
 * jobs sharing one HOME neither see nor undo each other's logins. Today's behaviour, the files under HOME,
 * where the host has no temp directory or cannot export variables to the job, and for anonymous pulls,
 * which write nothing.
 */
async function isolateFiles(host: Host, plan: LoginPlan): Promise<IsolatedFiles | undefined> {
  const tempDir = host.tempDir?.();
  if (tempDir === undefined || tempDir === '' || host.exportVariable === undefined) return undefined;
  if (plan.registries.every((registry) => registry.auth.type === 'anonymous')) return undefined;
  const isolated = await isolateClientFiles({
    tempDir,
    families: plan.clients.map((client) => CLIENT_FAMILY[client]),
    env: host.env,
  });
  host.debug(`Client files of this job: ${isolated.dir}`);
  return isolated;
}

/**
 * The pull secret only in the job's temp directory, which the runner empties after the job: anywhere else
 * (the system's /tmp) the credential would outlive a job whose post step never ran.
 */
async function writeOwnPullSecret(
  host: Host,
  credentials: LoginResult['credentials'],
): Promise<string | undefined> {
  const tempDir = host.tempDir?.();
  if (tempDir !== undefined && tempDir !== '') return writePullSecret(tempDir, credentials);
  if (credentials.some((credential) => credential.password !== ''))
    host.warning(host.text('PullSecretSkipped'));
  return undefined;
}

/** Each file written, with the clients that read it (docker and oras share the Docker config). */
function clientsByFile(result: LoginResult): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  for (const [client, file] of Object.entries(result.files))
    byFile.set(file, [...(byFile.get(file) ?? []), client]);
  return byFile;
}

/** Per registry: `app pull, push; web pull`. */
function accessLines(access: readonly RepositoryAccess[]): [string, string][] {
  const byRegistry = new Map<string, string[]>();
  for (const a of access) {
    const granted = a.granted.length === 0 ? 'nothing' : a.granted.join(', ');
    byRegistry.set(a.loginServer, [...(byRegistry.get(a.loginServer) ?? []), `${a.repository} ${granted}`]);
  }
  return [...byRegistry].map(([server, parts]) => [server, parts.join('; ')]);
}

/** Where the credential helper lives: the job's temp directory, whose helper folder the host puts on PATH. */
function renewalTempDir(host: Host): string {
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
async function setUpRenewal(
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
  const githubOidc = plan.authType === 'oidc' ? host.oidc?.renewal?.() : undefined;
  const adoOidcRequestUri = plan.authType === 'azure-pipelines' ? host.env.SYSTEM_OIDCREQUESTURI : undefined;
  const proxyUrl = host.proxyUrl?.();
  const caFile = host.caFile?.();
  // Masked here too: the renewal keeps the request token, and a host may not have masked it yet.
  if (githubOidc !== undefined) maskSecret(host, githubOidc.requestToken);
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
    ...(githubOidc === undefined ? {} : { githubOidc }),
    ...(adoOidcRequestUri === undefined || adoOidcRequestUri === '' ? {} : { adoOidcRequestUri }),
    ...(proxyUrl === undefined ? {} : { proxyUrl }),
    ...(caFile === undefined ? {} : { caFile }),
    // The runner's worker, which runs every step of the job: the renewal agent ends with it.
    watchPid: process.ppid,
  });
  host.saveState('renewal', JSON.stringify(record));
  host.addPath?.(record.binDir);
  return record;
}

function summaryView(result: LoginResult, plan: LoginPlan, notes: readonly string[]): SummaryView {
  return {
    authType: plan.authType,
    clients: plan.clients,
    notes,
    rows: result.credentials.map((credential) => [
      credential.loginServer,
      credential.identity,
      credential.audience ?? '-',
      credential.expiresOn?.toISOString() ?? '-',
    ]),
    access: accessRows(result.access),
  };
}

/** The pull secret goes whatever `logout` says: it exists for this job's deployments only. */
async function removeOwnPullSecret(host: Host): Promise<void> {
  const file = host.loadState('pullSecretFile');
  if (file === '') return;
  try {
    if (await removePullSecret(file)) host.info(host.text('PullSecretRemoved', file));
  } catch (error) {
    host.warning(errorMessage(error));
  }
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

function parseRenewalRecord(text: string): RenewalRecord {
  try {
    const record = JSON.parse(text) as RenewalRecord;
    if (typeof record.dir === 'string' && Array.isArray(record.entries)) return record;
  } catch {
    // fall through
  }
  throw new AcrLoginError(
    'STATE_INVALID',
    `The renewal state saved by the login step is unreadable, so its credential helper entries were not removed. Remove the "credHelpers" entries that name an acr-login-* helper from the client files the login step reported, or leave them if those are the job's own files in its temp folder, which end with the job.`,
  );
}

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
  if (errors.length > 0) failed(host, errors[0]);
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
export function entries(count: number): string {
  return `${count} credential ${count === 1 ? 'entry' : 'entries'}`;
}

/** Core's English for a step message. */
export function englishText(id: StepMessage, ...params: string[]): string {
  return format(STEP_MESSAGES[id], params);
}
