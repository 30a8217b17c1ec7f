import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { AcrLoginError, withContext } from '../errors.ts';
import { HttpClient, systemClock } from '../http.ts';
import { githubOidcProvider } from '../identity/github-oidc.ts';
import type { Identity } from '../identity/kinds/index.ts';
import { describeIdentity } from '../identity/kinds/index.ts';
import { entraScope } from '../identity/scope.ts';
import { entraTokens } from '../identity/token.ts';
import { readTokenInfo } from '../jwt.ts';
import { exchangeEntraToken } from '../registry/acr.ts';
import { NETWORK_BUDGET_MS, nodeTransport, type Transport } from '../transport.ts';
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
   * proxy in its settings), with its credentials; used unless the helper's environment names one.
   */
  readonly proxyUrl?: string;
  /**
   * A CA file the login step trusted besides the public roots when Node's own settings did not name it
   * (the agent's Agent.CAInfo): a TLS-inspecting proxy's, usually.
   */
  readonly caFile?: string;
}

export interface RenewerOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dispatcher?: Transport;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * The renewal function for a plan: one Entra token per identity and scope, shared by every registry it
 * renews in this process, then one exchange per registry.
 */
export function createRenew(plan: RenewalPlan, options: RenewerOptions): Renew {
  const env = options.env;
  const proxied = Boolean(env.HTTPS_PROXY || env.https_proxy);
  const dispatcher =
    options.dispatcher ??
    nodeTransport({
      env: plan.proxyUrl === undefined || proxied ? env : { ...env, HTTPS_PROXY: plan.proxyUrl },
      // A client waits on the helper: a silent proxy must not hold it longer than a login would.
      budgetMs: NETWORK_BUDGET_MS,
      ...(plan.caFile === undefined
        ? {}
        : { tls: { ca: [...rootCertificates, readFileSync(plan.caFile, 'utf8')] } }),
    });
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

  return async (loginServer) => {
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
}
