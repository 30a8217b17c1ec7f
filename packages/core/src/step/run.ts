import { tmpdir } from 'node:os';
import { removePullSecret, writePullSecret } from '../clients/pull-secret.ts';
import { AcrLoginError, errorMessage } from '../errors.ts';
import { login, logout, parseState } from '../login.ts';
import type { PlanFacts } from '../plan/auto.ts';
import { SECRET_INPUTS } from '../plan/names.ts';
import { planLogin } from '../plan/plan.ts';
import { accessTable, type RepositoryAccess } from '../registry/access.ts';
import {
  type Environment,
  LOGIN_INPUT_KEYS,
  type Logger,
  type LoginInputs,
  type LoginPlan,
  type LoginResult,
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
import { failureLines, loginOutputs, secretPieces } from './report.ts';

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
  const lines = [...failureLines(error, host.words), ...note, ...(host.hints?.(error) ?? [])];
  host.fail(lines.join('\n'));
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
    const logger = hostLogger(host, parseBoolean(host, 'maskPassword', true));
    const facts: PlanFacts = {
      oidcAvailable: host.oidc?.available() ?? false,
      oidcUnavailableHint: host.oidc?.unavailableHint() ?? '',
      env: host.env,
    };
    plan = planLogin({ ...inputs, registry: inputs.registry ?? '' }, facts);
    for (const secret of plan.secrets) maskSecret(host, secret);
    for (const line of host.intro?.() ?? []) host.info(line);
    host.info(
      host.text(
        'LoggingIn',
        plan.registries.map((r) => r.loginServer).join(', '),
        plan.authType,
        render(plan.reason, host.words),
      ),
    );

    const dispatcher = host.dispatcher?.();
    const { oidc } = host;
    const environment: Environment = {
      logger,
      env: host.env,
      debug: host.debugging?.() ?? false,
      ...(dispatcher === undefined ? {} : { dispatcher }),
      ...(oidc === undefined ? {} : { oidcToken: (audience: string) => oidc.token(audience) }),
    };
    let result: LoginResult;
    try {
      result = await login(plan, environment);
    } finally {
      await dispatcher?.close();
    }
    // Save state before anything else can fail, so the post step can undo what was written.
    host.saveState('loginState', JSON.stringify(result.state));
    host.saveState('logout', String(logoutAfter));
    // Only this step's registries, for `kubectl create secret`; the post step removes it.
    const pullSecret = await writePullSecret(host.tempDir ?? tmpdir(), result.credentials);
    if (pullSecret !== undefined) host.saveState('pullSecretFile', pullSecret);
    const outputs = loginOutputs(result);
    for (const [name, value] of Object.entries(outputs)) {
      host.setOutput(name as OutputName, value, name === 'password');
    }
    host.setOutput('pullSecretFile', pullSecret ?? '', false);
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
    for (const [loginServer, text] of accessLines(result.access)) {
      host.info(host.text('AccessGranted', loginServer, text));
    }
    if (pullSecret !== undefined) {
      const servers = result.credentials.filter((c) => c.password !== '').map((c) => c.loginServer);
      host.info(host.text('PullSecretFile', servers.join(', '), pullSecret));
    }
    await host.summary?.(summaryView(result, plan));
  } catch (error) {
    failed(host, error, plan);
  }
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

function summaryView(result: LoginResult, plan: LoginPlan): SummaryView {
  return {
    authType: plan.authType,
    clients: plan.clients,
    rows: result.credentials.map((credential) => [
      credential.loginServer,
      credential.identity,
      credential.audience ?? '-',
      credential.expiresOn?.toISOString() ?? '-',
    ]),
    access: accessTable(result.access)
      .slice(1)
      .map(
        ([registry = '', repository = '', asked = '', granted = '']) =>
          [registry, repository, asked, granted] as const,
      ),
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

export async function runLogout(host: Host): Promise<void> {
  try {
    await removeOwnPullSecret(host);
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
  } catch (error) {
    failed(host, error);
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
