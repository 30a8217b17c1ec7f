import { type IsolatedFiles, isolateClientFiles } from '../clients/isolate.ts';
import { CLIENT_FAMILY } from '../clients/paths.ts';
import { defaultDispatcher } from '../http.ts';
import { login } from '../login.ts';
import type { LoginResult } from '../login-result.ts';
import type { PlanFacts } from '../plan/auto.ts';
import type { LoginPlan } from '../plan/login-plan.ts';
import { planLogin } from '../plan/plan.ts';
import { notRenewable, renewedServers } from '../renew/renewable.ts';
import type { RenewalRecord } from '../renew/setup.ts';
import type { Environment, Logger, LoginInputs } from '../types.ts';
import type { Host, OutputName } from './host.ts';
import { announceLogin, reportLogin } from './login-log.ts';
import { type LoginOutputs, loginOutputs } from './report.ts';
import { failStep, maskSecret, readStepInputs, type StepSwitches } from './step-inputs.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The main step, stage by stage; any failure fails the step with the plan's note and the host's hints. */
export async function runLogin(host: Host): Promise<void> {
  let plan: LoginPlan | undefined;
  try {
    const { inputs, switches, logger } = readStepInputs(host);
    plan = planStep(host, inputs);
    announceLogin(host, plan);
    // Before the login: a runner that cannot keep the helper and its agent fails the step before anything is
    // written.
    const renewing = switches.renew && notRenewable(plan) === undefined;
    // What only some steps use loads only for them: a step's start is mostly compiling its code.
    const renewalSetup = switches.renew ? await import('./renewal-setup.ts') : undefined;
    if (renewing) renewalSetup?.checkRenewalAgent(renewalSetup.renewalTempDir(host), process.platform);
    const isolated = switches.isolate ? await isolateFiles(host, plan) : undefined;
    // The clients' files are the job's own from here on: the login, renewal and outputs all use them.
    const env = isolated === undefined ? host.env : { ...host.env, ...isolated.variables };
    const result = await loginThroughHost(host, plan, { logger, env, renewing });
    keepForPostStep(host, result, switches, isolated);
    const pullSecret = switches.pullSecret ? await writeOwnPullSecret(host, result.credentials) : undefined;
    if (pullSecret !== undefined) host.saveState('pullSecretFile', pullSecret);
    const outputs = loginOutputs(result);
    host.saveState('expiresOn', outputs.expiresOn);
    const renewal = await renewalSetup?.setUpRenewal(host, plan, result, env);
    setStepOutputs(host, outputs, pullSecret, renewal);
    await reportLogin(host, { plan, result, outputs, isolated, pullSecret, renewal });
  } catch (error) {
    failStep(host, error, plan);
  }
}

/** The plan from the inputs and what only the host knows; its secrets are masked before it is logged. */
function planStep(host: Host, inputs: LoginInputs): LoginPlan {
  const untrustedRun = host.untrustedRun?.();
  const facts: PlanFacts = {
    oidcAvailable: host.oidc?.available() ?? false,
    oidcUnavailableHint: host.oidc?.unavailableHint() ?? '',
    env: host.env,
    ...(untrustedRun === undefined ? {} : { untrustedRun }),
  };
  const plan = planLogin({ ...inputs, registry: inputs.registry ?? '' }, facts);
  for (const secret of plan.secrets) maskSecret(host, secret);
  return plan;
}

/** The login over one transport for the step, OIDC included, closed when the login is done. */
async function loginThroughHost(
  host: Host,
  plan: LoginPlan,
  options: { readonly logger: Logger; readonly env: Env; readonly renewing: boolean },
): Promise<LoginResult> {
  const dispatcher = (await host.dispatcher?.()) ?? defaultDispatcher(host.env);
  const { oidc } = host;
  const environment: Environment = {
    logger: options.logger,
    env: options.env,
    debug: host.debugging?.() ?? false,
    dispatcher,
    ...(oidc === undefined ? {} : { oidcToken: (audience: string) => oidc.token(audience, dispatcher) }),
    // The renewal's helper entry replaces the user's for these: the login need not, and may not be able
    // to, go through the user's helper.
    ...(options.renewing ? { renewed: renewedServers(plan) } : {}),
  };
  try {
    return await login(plan, environment);
  } finally {
    await dispatcher.close();
  }
}

/** Saved before anything else can fail, so the post step can undo what was written. */
function keepForPostStep(
  host: Host,
  result: LoginResult,
  switches: StepSwitches,
  isolated: IsolatedFiles | undefined,
): void {
  host.saveState('loginState', JSON.stringify(result.state));
  host.saveState('logout', String(switches.logoutAfter));
  // The post step removes this step's entries from the job's files but leaves the files: other actions'
  // post steps (a buildx builder's removal) still read DOCKER_CONFIG, and the runner empties the folder.
  for (const [name, value] of Object.entries(isolated?.variables ?? {})) host.exportVariable?.(name, value);
}

function setStepOutputs(
  host: Host,
  outputs: LoginOutputs,
  pullSecret: string | undefined,
  renewal: RenewalRecord | undefined,
): void {
  for (const [name, value] of Object.entries(outputs)) {
    host.setOutput(name as OutputName, value, name === 'password');
  }
  host.setOutput('pullSecretFile', pullSecret ?? '', false);
  host.setOutput('renews', String(renewal !== undefined), false);
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
 * Only when asked (a second copy of the credential), only this step's registries, for
 * `kubectl create secret`; the post step removes it. Only in the job's temp directory, which the runner
 * empties after the job: anywhere else (the system's /tmp) the credential would outlive a job whose post
 * step never ran.
 */
async function writeOwnPullSecret(
  host: Host,
  credentials: LoginResult['credentials'],
): Promise<string | undefined> {
  const tempDir = host.tempDir?.();
  if (tempDir !== undefined && tempDir !== '') {
    const { writePullSecret } = await import('../clients/pull-secret.ts');
    return writePullSecret(tempDir, credentials);
  }
  if (credentials.some((credential) => credential.password !== ''))
    host.warning(host.text('PullSecretSkipped'));
  return undefined;
}
