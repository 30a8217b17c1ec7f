import { AcrLoginError, withContext } from '../errors.ts';
import { HttpClient, systemClock } from '../http.ts';
import { githubOidcProvider } from '../identity/github-oidc.ts';
import type { Identity } from '../identity/kinds/index.ts';
import { describeIdentity } from '../identity/kinds/index.ts';
import { entraScope } from '../identity/scope.ts';
import { entraTokens } from '../identity/token.ts';
import { readTokenInfo } from '../jwt.ts';
import { exchangeEntraToken } from '../registry/acr.ts';
import {
  type ListedProxy,
  listedProxyOptions,
  NETWORK_BUDGET_MS,
  nodeTransport,
  type TlsFiles,
  type Transport,
  tlsFromFiles,
} from '../transport.ts';
import { type Clock, type Cloud, type Logger, nullLogger, type TokenAudience } from '../types.ts';
import type { Renew } from './renewals.ts';

/**
 * One registry as the login planned it: what a renewal repeats. Its origin, the exchange's `service` (ACR's
 * is the login server) and the Entra scope (from the audience and the plan's cloud) are derived.
 */
export interface RenewalRegistry {
  readonly loginServer: string;
  readonly audience: TokenAudience;
  /** As planned by core, with the secret it needs (service principal secret or PEM, System.AccessToken). */
  readonly identity: Identity;
}

/** What the renewal agent keeps in memory for renewing: everything the login used, nothing it did not. */
export interface RenewalPlan {
  readonly cloud: Cloud;
  readonly registries: readonly RenewalRegistry[];
  /** GitHub Actions: the job's OIDC request endpoint (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN), valid for the job. */
  readonly githubOidc?: { readonly requestUrl: string; readonly requestToken: string };
  /** Azure Pipelines: SYSTEM_OIDCREQUESTURI, which AzurePipelinesCredential reads from the environment. */
  readonly adoOidcRequestUri?: string;
  /**
   * The proxy the login step used when it was not in the environment (Azure Pipelines keeps the agent's
   * proxy in its settings). It wins over HTTPS_PROXY in the agent's environment, as it did for the login.
   */
  readonly proxy?: ListedProxy;
  /**
   * TLS files the login step used that Node's own settings did not name (the agent's Agent.CAInfo, a
   * TLS-inspecting proxy's CA usually, and its client certificate): the renewal trusts and presents them too.
   */
  readonly tls?: TlsFiles;
}

export interface RenewerOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dispatcher?: Transport;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * The renewal's transport, the way the login went: the plan's proxy with its bypass list, else the one the
 * environment names; the plan's TLS files; the same network budget.
 */
export function renewalTransport(plan: RenewalPlan, env: RenewerOptions['env']): Transport {
  return nodeTransport({
    env,
    ...(plan.proxy === undefined ? {} : listedProxyOptions(plan.proxy)),
    // A client waits on the helper: a silent proxy must not hold it longer than a login would.
    budgetMs: NETWORK_BUDGET_MS,
    ...(plan.tls === undefined ? {} : { tls: tlsFromFiles(plan.tls) }),
  });
}

/**
 * The renewal function for a plan: one Entra token per identity and scope, shared by every registry it
 * renews in this process, then one exchange per registry.
 */
export function createRenew(plan: RenewalPlan, options: RenewerOptions): Renew {
  const env = options.env;
  const own = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? renewalTransport(plan, env);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? nullLogger;
  const http = new HttpClient({ dispatcher, logger, clock });
  const oidcToken =
    plan.githubOidc === undefined ? undefined : githubOidcProvider(plan.githubOidc, dispatcher);
  if (plan.adoOidcRequestUri !== undefined && process.env.SYSTEM_OIDCREQUESTURI === undefined) {
    process.env.SYSTEM_OIDCREQUESTURI = plan.adoOidcRequestUri;
  }
  const entraToken = entraTokens({
    cloud: plan.cloud,
    http,
    clock,
    dispatcher,
    logger,
    ...(oidcToken === undefined ? {} : { oidcToken }),
  });

  const renew: Renew = async (loginServer) => {
    const registry = plan.registries.find((candidate) => candidate.loginServer === loginServer);
    if (registry === undefined) {
      throw new AcrLoginError('STATE_INVALID', `The renewal plan has no registry "${loginServer}".`);
    }
    const { identity, audience } = registry;
    try {
      const entra = await entraToken(identity, entraScope(audience, plan.cloud));
      const password = await exchangeEntraToken(http, {
        loginServer,
        origin: `https://${loginServer}`,
        service: loginServer,
        identity,
        audience,
        entraToken: entra.token,
      });
      const expiresOn = readTokenInfo(password)?.expiresOn;
      if (expiresOn === undefined) {
        throw new AcrLoginError(
          'REGISTRY_PROTOCOL',
          `"${loginServer}" issued a refresh token without an expiry.`,
        );
      }
      return { password, expiresOn };
    } catch (error) {
      throw withContext(error, `Renewing for ${describeIdentity(identity)}`);
    }
  };
  // A transport the caller gave is the caller's to close.
  return own ? Object.assign(renew, { close: () => dispatcher.close() }) : renew;
}
