import { CLIENT_FAMILY, clientFile } from '../clients/paths.ts';
import { AcrLoginError, errorMessage } from '../errors.ts';
import type { LoginResult } from '../login-result.ts';
import type { LoginPlan } from '../plan/login-plan.ts';
import { input } from '../wording.ts';
import { type HelperEntry, removeHelperEntries, writeHelperEntries } from './entries.ts';
import { renewAt } from './helper.ts';
import type { RenewalPlan, RenewalRegistry } from './renewer.ts';
import { newHelperName, removeRenewalFiles, writeRenewalFiles } from './shim.ts';
import type { RenewState, ServerToken } from './state.ts';

/** What the post step needs to undo a renewal set-up; serialisable, no secrets. */
export interface RenewalRecord {
  readonly helper: string;
  /** The folder holding the shim and the state. */
  readonly dir: string;
  /** The folder the adapter put on PATH. */
  readonly binDir: string;
  readonly entries: readonly HelperEntry[];
  /** ISO 8601: when the last token written at login expires, for the post step's "outlived" check. */
  readonly expiresOn: string;
  /** ISO 8601: when the helper first renews, by its own rule (`renewAt`). */
  readonly renewsAt: string;
}

export interface StartRenewalOptions {
  readonly plan: LoginPlan;
  readonly result: LoginResult;
  /** The job's temp directory: RUNNER_TEMP, Agent.TempDirectory. */
  readonly tempDir: string;
  /** `process.execPath` of the step. */
  readonly node: string;
  /** The step's bundle, which answers `credential-helper`. */
  readonly bundle: string;
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: { now(): number };
  readonly githubOidc?: RenewalPlan['githubOidc'];
  readonly adoOidcRequestUri?: string;
  readonly proxyUrl?: string;
  readonly caFile?: string;
}

/** Why `plan` cannot be renewed, or undefined when it can: only Entra logins have something to renew. */
export function notRenewable(plan: LoginPlan): string | undefined {
  if (plan.registries.some((registry) => registry.auth.type === 'entra')) return undefined;
  return plan.authType === 'anonymous'
    ? 'anonymous pulls need no credentials'
    : 'a registry password does not expire on a schedule acr-login controls';
}

/** The servers a renewal of `plan` routes to its helper: its Entra registries. */
export function renewedServers(plan: LoginPlan): string[] {
  return plan.registries.flatMap((registry) =>
    registry.auth.type === 'entra' ? [registry.loginServer] : [],
  );
}

/**
 * Sets renewal up after a successful login: the state and shim in the job's temp directory, then a
 * `credHelpers` entry per Entra registry in every configured client's file. On failure, nothing is left.
 */
export async function startRenewal(options: StartRenewalOptions): Promise<RenewalRecord> {
  const { plan, result } = options;
  const registries: RenewalRegistry[] = plan.registries.flatMap((registry) =>
    registry.auth.type === 'entra'
      ? [
          {
            loginServer: registry.loginServer,
            audience: registry.auth.audience,
            identity: registry.auth.identity,
          },
        ]
      : [],
  );
  const now = options.clock.now();
  const servers: Record<string, ServerToken> = {};
  for (const credential of result.credentials) {
    if (!registries.some((registry) => registry.loginServer === credential.loginServer)) continue;
    if (credential.expiresOn === undefined) continue;
    servers[credential.loginServer] = {
      username: credential.username,
      password: credential.password,
      expiresOn: credential.expiresOn.getTime(),
      obtainedAt: now,
    };
  }
  if (Object.keys(servers).length === 0) {
    // Before any file is written: without an expiry the helper could not tell when to renew.
    throw new AcrLoginError(
      'REGISTRY_PROTOCOL',
      `The registry's refresh tokens carry no expiry time, so ${input('renew')} cannot tell when to renew them. Set ${input('renew')} to false; the login itself succeeded.`,
      { input: 'renew' },
    );
  }
  const renewal: RenewalPlan = {
    cloud: plan.cloud,
    registries,
    ...(options.githubOidc === undefined ? {} : { githubOidc: options.githubOidc }),
    ...(options.adoOidcRequestUri === undefined ? {} : { adoOidcRequestUri: options.adoOidcRequestUri }),
    ...(options.proxyUrl === undefined ? {} : { proxyUrl: options.proxyUrl }),
    ...(options.caFile === undefined ? {} : { caFile: options.caFile }),
  };
  const state: RenewState<RenewalPlan> = { version: 1, helper: newHelperName(), servers, plan: renewal };
  const files = await writeRenewalFiles({
    tempDir: options.tempDir,
    node: options.node,
    bundle: options.bundle,
    platform: options.platform,
    state,
  });
  const targets = [...new Set(plan.clients.map((client) => clientFile(CLIENT_FAMILY[client], options.env)))];
  let entries: HelperEntry[];
  try {
    entries = await writeHelperEntries(targets, Object.keys(servers), state.helper);
  } catch (error) {
    await removeRenewalFiles(files.dir);
    throw error;
  }
  const tokens = Object.values(servers);
  return {
    helper: state.helper,
    dir: files.dir,
    binDir: files.binDir,
    entries,
    expiresOn: new Date(Math.min(...tokens.map((token) => token.expiresOn))).toISOString(),
    renewsAt: new Date(Math.min(...tokens.map(renewAt))).toISOString(),
  };
}

export interface StopRenewalResult {
  readonly removed: number;
  readonly restored: number;
  readonly skipped: readonly { file: string; key: string; reason: string }[];
}

/**
 * Undoes `startRenewal`: the `credHelpers` entries first (while ours is there, `docker logout` of a
 * credsStore-owned registry would reach our helper, not the user's store), then the folder with the state.
 */
export async function stopRenewal(record: RenewalRecord): Promise<StopRenewalResult> {
  const result = await removeHelperEntries(record.entries);
  const skipped = [...result.skipped];
  try {
    await removeRenewalFiles(record.dir);
  } catch (error) {
    skipped.push({ file: record.dir, key: 'renewal state', reason: errorMessage(error) });
  }
  return { removed: result.removed, restored: result.restored, skipped };
}
