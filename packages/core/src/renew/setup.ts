import { join } from 'node:path';
import { CLIENT_FAMILY, clientFile } from '../clients/paths.ts';
import { AcrLoginError, errorMessage } from '../errors.ts';
import type { LoginResult } from '../login-result.ts';
import { proxyUrlSecrets } from '../net/proxy-env.ts';
import type { LoginPlan } from '../plan/login-plan.ts';
import { input } from '../wording.ts';
import type { CachedCredential } from './cache.ts';
import { agentProblem, agentUnavailable, launchAgent, stopAgent } from './launch.ts';
import { renewAt, type ServerToken } from './renewals.ts';
import type { RenewalPlan, RenewalRegistry } from './renewer.ts';
import { type HelperRoute, removeHelperRoutes, routeToHelper } from './route-to-helper.ts';
import { newHelperName, removeRenewalFiles, writeRenewalFiles } from './shim.ts';

/** What the post step needs to undo a renewal set-up; serialisable, no secrets. */
export interface RenewalRecord {
  readonly helper: string;
  /** The folder holding the shim, the cache, the agent's socket and its file. */
  readonly dir: string;
  /** The renewal agent's process id. */
  readonly agentPid: number;
  /** The folder the adapter put on PATH. */
  readonly binDir: string;
  readonly entries: readonly HelperRoute[];
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
  readonly proxy?: RenewalPlan['proxy'];
  readonly tls?: RenewalPlan['tls'];
  /** The process running the job's steps (the step's parent): the agent ends when it does. */
  readonly watchPid?: number;
}

/** Every secret the renewal plan holds: the agent keeps them in memory, and out of its environment. */
export function planSecrets(plan: RenewalPlan): string[] {
  const secrets = plan.registries.flatMap(({ identity }) => {
    switch (identity.type) {
      case 'service-principal':
        return [
          identity.secret,
          identity.certificate?.kind === 'pem' ? identity.certificate.pem : undefined,
          identity.certificatePassword,
        ];
      case 'azure-pipelines':
        return [identity.systemAccessToken];
      default:
        return [];
    }
  });
  return [
    ...secrets,
    plan.githubOidc?.requestToken,
    ...proxyUrlSecrets(plan.proxy?.url ?? ''),
    plan.proxy?.authorization,
    plan.tls?.passphrase,
  ].filter((secret): secret is string => secret !== undefined && secret !== '');
}

/**
 * Refuses, before the login, a renewal whose agent could not listen under `tempDir`: without the agent the
 * identity's secret would have to be written down, which renewal never does.
 */
export function checkRenewalAgent(tempDir: string, platform: NodeJS.Platform): void {
  const problem = agentProblem(join(tempDir, newHelperName()), newHelperName(), platform);
  if (problem !== undefined) throw agentUnavailable(problem);
}

/**
 * Sets renewal up after a successful login: the shim and the registry credentials' cache in the job's temp
 * directory, the renewal agent holding the plan (and so the identity's secret) in memory, then a
 * `credHelpers` entry per Entra registry in every configured client's file. On failure, nothing is left.
 */
export async function startRenewal(options: StartRenewalOptions): Promise<RenewalRecord> {
  const registries = renewalRegistries(options.plan);
  const servers = tokensAtLogin(options, registries);
  const renewal = renewalPlan(options, registries);
  const helper = newHelperName();
  const cache: Record<string, CachedCredential> = Object.fromEntries(
    Object.entries(servers).map(([server, token]) => [server, { ...token, renewAt: renewAt(token) }]),
  );
  const files = await writeRenewalFiles({
    tempDir: options.tempDir,
    helper,
    node: options.node,
    bundle: options.bundle,
    platform: options.platform,
    cache,
  });
  const { agentPid, entries } = await startAgentAndEntries(options, {
    renewal,
    servers,
    helper,
    dir: files.dir,
  });
  const tokens = Object.values(servers);
  return {
    helper,
    dir: files.dir,
    agentPid,
    binDir: files.binDir,
    entries,
    expiresOn: new Date(Math.min(...tokens.map((token) => token.expiresOn))).toISOString(),
    renewsAt: new Date(Math.min(...tokens.map(renewAt))).toISOString(),
  };
}

/** The plan's Entra registries, which the renewal renews. */
function renewalRegistries(plan: LoginPlan): RenewalRegistry[] {
  return plan.registries.flatMap((registry) =>
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
}

/** The tokens the login wrote for the renewed registries, each with when it expires. */
function tokensAtLogin(
  options: StartRenewalOptions,
  registries: readonly RenewalRegistry[],
): Record<string, ServerToken> {
  const now = options.clock.now();
  const servers: Record<string, ServerToken> = {};
  for (const credential of options.result.credentials) {
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
  return servers;
}

function renewalPlan(options: StartRenewalOptions, registries: RenewalRegistry[]): RenewalPlan {
  return {
    cloud: options.plan.cloud,
    registries,
    ...(options.githubOidc === undefined ? {} : { githubOidc: options.githubOidc }),
    ...(options.adoOidcRequestUri === undefined ? {} : { adoOidcRequestUri: options.adoOidcRequestUri }),
    // With its credentials: the plan lives only in the agent's memory, and the agent renews as the login did.
    ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  };
}

/** The agent, then the clients' `credHelpers` entries; on failure the agent is stopped and its folder removed. */
async function startAgentAndEntries(
  options: StartRenewalOptions,
  agent: {
    readonly renewal: RenewalPlan;
    readonly servers: Record<string, ServerToken>;
    readonly helper: string;
    readonly dir: string;
  },
): Promise<{ agentPid: number; entries: HelperRoute[] }> {
  const { renewal, servers, helper, dir } = agent;
  let agentPid: number | undefined;
  try {
    agentPid = (
      await launchAgent({
        node: options.node,
        bundle: options.bundle,
        dir,
        helper,
        platform: options.platform,
        env: options.env,
        plan: renewal,
        secrets: planSecrets(renewal),
        servers,
        ...(options.watchPid === undefined ? {} : { watchPid: options.watchPid }),
      })
    ).pid;
    const targets = [
      ...new Set(options.plan.clients.map((client) => clientFile(CLIENT_FAMILY[client], options.env))),
    ];
    return { agentPid, entries: await routeToHelper(targets, Object.keys(servers), helper) };
  } catch (error) {
    if (agentPid !== undefined) await stopAgent(dir, agentPid).catch(() => {});
    await removeRenewalFiles(dir);
    throw error;
  }
}

export interface StopRenewalResult {
  /** What became of the agent: it stopped when asked, was ended by its pid, or had already gone. */
  readonly agent: 'stopped' | 'killed' | 'not running';
  readonly removed: number;
  readonly restored: number;
  readonly skipped: readonly { file: string; key: string; reason: string }[];
}

/**
 * Undoes `startRenewal`: the `credHelpers` entries first (while ours is there, `docker logout` of a
 * credsStore-owned registry would reach our helper, not the user's store), then the agent, then its folder.
 */
export async function stopRenewal(record: RenewalRecord): Promise<StopRenewalResult> {
  const result = await removeHelperRoutes(record.entries);
  const skipped = [...result.skipped];
  let agent: StopRenewalResult['agent'] = 'not running';
  try {
    agent = await stopAgent(record.dir, record.agentPid);
  } catch (error) {
    skipped.push({ file: record.dir, key: 'renewal agent', reason: errorMessage(error) });
  }
  try {
    await removeRenewalFiles(record.dir);
  } catch (error) {
    skipped.push({ file: record.dir, key: 'renewal folder', reason: errorMessage(error) });
  }
  return { agent, removed: result.removed, restored: result.restored, skipped };
}
