import type { IsolatedFiles } from '../clients/isolate.ts';
import type { LoginResult } from '../login-result.ts';
import type { LoginPlan } from '../plan/login-plan.ts';
import type { RepositoryAccess } from '../registry/access-protocol.ts';
import { notRenewable } from '../renew/renewable.ts';
import type { RenewalRecord } from '../renew/setup.ts';
import { render } from '../wording.ts';
import type { Host, SummaryView } from './host.ts';
import { accessRows, type LoginOutputs } from './report.ts';

/** What the main step did, for its log lines and the job summary. */
export interface LoginReport {
  readonly plan: LoginPlan;
  readonly result: LoginResult;
  readonly outputs: LoginOutputs;
  readonly isolated: IsolatedFiles | undefined;
  readonly pullSecret: string | undefined;
  readonly renewal: RenewalRecord | undefined;
}

/** Before the login: the host's own lines, the machine identity's notice, then what logs in where and why. */
export function announceLogin(host: Host, plan: LoginPlan): void {
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
}

/** After the login: who is logged in where, the files written, the access granted, renewal, the summary. */
export async function reportLogin(host: Host, report: LoginReport): Promise<void> {
  const { result, isolated, pullSecret } = report;
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
  const notes = renewalNotes(host, report);
  for (const note of notes) host.info(note);
  await host.summary?.(summaryView(result, report.plan, notes));
}

/** When the credentials expire and whether they are renewed: for the log and under the summary's table. */
function renewalNotes(host: Host, { renewal, outputs, plan }: LoginReport): string[] {
  if (renewal !== undefined) return [host.text('Renewing', renewal.helper, renewal.renewsAt)];
  if (outputs.expiresOn !== '' && notRenewable(plan) === undefined) {
    return [host.text('ExpiresNoRenew', outputs.expiresOn, host.words.input('renew'))];
  }
  return [];
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
