import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir as newTempDir } from '../../../../test/support/temp-dirs.ts';
import type { Renew, ServerToken } from '../../src/renew/index.ts';
import type { RenewalRegistry } from '../../src/renew/renewer.ts';
import type { Clock } from '../../src/types.ts';

/** A fresh directory under the system temp dir, removed after the file's tests. */
export async function tempDir(): Promise<string> {
  return newTempDir('acr-login-renew-');
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** ACR's refresh token lifetime: 3 h 15 min. */
export const LIFETIME = 3 * HOUR + 15 * MINUTE;
export const USER = '00000000-0000-0000-0000-000000000000';
export const T0 = Date.parse('2026-11-29T12:00:00Z');

export interface TestClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function testClock(start = T0): TestClock {
  let now = start;
  return {
    now: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

export interface Plan {
  readonly identity: string;
}

export const PLAN: Plan = { identity: 'app 1234' };

/** A real renewal plan's one registry, a service principal with its secret in it (`sp-secret-value`). */
export const SP_REGISTRY: RenewalRegistry = {
  loginServer: 'contoso.azurecr.io',
  audience: 'acr',
  identity: {
    type: 'service-principal',
    clientId: '00000000-0000-4000-8000-000000000001',
    tenantId: '00000000-0000-4000-8000-000000000002',
    secret: 'sp-secret-value',
  },
};

/** The login's tokens: `rt-0-<server>`, obtained at `obtainedAt`, valid for `lifetime`. */
export function serversFor(
  servers: readonly string[],
  obtainedAt = T0,
  lifetime = LIFETIME,
): Record<string, ServerToken> {
  return Object.fromEntries(
    servers.map((server) => [
      server,
      { username: USER, password: `rt-0-${server}`, expiresOn: obtainedAt + lifetime, obtainedAt },
    ]),
  );
}

export interface RecordingRenewer {
  /** Plans the factory was called with: one per renewal round. */
  readonly plans: Plan[];
  /** Servers renewed, in order. */
  readonly calls: string[];
  /** Rounds whose renewal function was closed. */
  readonly closed: { count: number };
  factory(plan: Plan): Renew;
}

/**
 * Issues `rt-<n>-<server>` valid for `lifetime` from the clock's now; `fail` makes a server's renewal throw
 * `error` instead.
 */
export function recordingRenewer(
  clock: Clock,
  options: { lifetime?: number; fail?: (server: string) => Error | undefined } = {},
): RecordingRenewer {
  const plans: Plan[] = [];
  const calls: string[] = [];
  const closed = { count: 0 };
  return {
    plans,
    calls,
    closed,
    factory(plan) {
      plans.push(plan);
      const renew: Renew = async (server) => {
        calls.push(server);
        const error = options.fail?.(server);
        if (error !== undefined) throw error;
        return {
          password: `rt-${calls.length}-${server}`,
          expiresOn: new Date(clock.now() + (options.lifetime ?? LIFETIME)),
        };
      };
      return Object.assign(renew, {
        close: async () => {
          closed.count++;
        },
      });
    },
  };
}

const ROOT = join(import.meta.dirname, '../../../..');
/** A step's bundle for the agent and the helper, run from source: core's helper entry, loaded by tsx. */
export const SOURCE_BUNDLE = join(ROOT, 'test/support/renew-helper-entry.ts');

/** `env` for a process that runs SOURCE_BUNDLE: tsx by absolute path, as the agent starts in `/`. */
export function withTsx(env: Record<string, string>): Record<string, string> {
  return {
    ...env,
    NODE_OPTIONS: `--import ${pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href}`,
  };
}

export { filesHolding } from '../../../../test/support/secrets.ts';
