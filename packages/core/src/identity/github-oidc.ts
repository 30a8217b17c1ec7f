import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError, errorMessage } from '../errors.ts';
import { type Random, realSleep, retryableNetworkError } from '../http.ts';
import type { Transport } from '../transport.ts';
import type { OidcTokenProvider, Sleep } from '../types.ts';
import { hasFields } from '../util.ts';

const RETRY_DELAYS_MS = [500, 1000, 2000];

/** Where a GitHub job asks for OIDC tokens: ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN. */
export interface GithubOidcEndpoint {
  readonly requestUrl: string;
  readonly requestToken: string;
}

/**
 * GitHub's token service, as `core.getIDToken` asks it: `GET <url>&audience=<aud>` with the request token.
 * Core imports no CI library: the step and the renewing credential helper both ask through this.
 */
export function githubOidcProvider(
  endpoint: GithubOidcEndpoint,
  dispatcher: Transport,
  sleep: Sleep = realSleep,
  random: Random = Math.random,
): OidcTokenProvider {
  // Half to all of each delay, so jobs that failed together do not retry together.
  const pause = (attempt: number) =>
    sleep(Math.round((RETRY_DELAYS_MS[attempt] ?? 0) * (0.5 + random() / 2)));
  return async (audience) =>
    tokenOf(await askWithRetries(() => askToken(endpoint, dispatcher, audience), pause));
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

async function askToken(
  endpoint: GithubOidcEndpoint,
  dispatcher: Transport,
  audience: string,
): Promise<Answer> {
  const target = new URL(`${endpoint.requestUrl}&audience=${encodeURIComponent(audience)}`);
  const res = await dispatcher.request({
    origin: target.origin,
    path: target.pathname + target.search,
    method: 'GET',
    // As @actions/core asks (it also names itself: GitHub's services expect a user agent).
    headers: {
      authorization: `Bearer ${endpoint.requestToken}`,
      accept: 'application/json',
      'user-agent': 'acr-login',
    },
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/** @actions/core retries this service; so do we, on what a retry can fix: 5xx, 429, a refused or dropped connection. */
async function askWithRetries(
  ask: () => Promise<Answer>,
  pause: (attempt: number) => Promise<void>,
): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await ask();
      if (attempt < RETRY_DELAYS_MS.length && (answer.status >= 500 || answer.status === 429)) {
        await pause(attempt);
        continue;
      }
      return answer;
    } catch (error) {
      // A setting the transport cannot use (a socks5:// proxy) is the user's to fix: no pause, its own message.
      if (error instanceof AcrLoginError) throw error;
      if (retryableNetworkError(error) && attempt < RETRY_DELAYS_MS.length) {
        await pause(attempt);
        continue;
      }
      throw new AcrLoginError(
        'OIDC_FAILED',
        `Could not reach GitHub's OIDC token service (ACTIONS_ID_TOKEN_REQUEST_URL): ${errorMessage(error)}. Check the runner's network and proxy settings.`,
        { cause: error },
      );
    }
  }
}

/** The token in a 200 answer's `{ "value": ... }`, or why there is none. */
function tokenOf({ status, text }: Answer): string {
  if (status === 401 || status === 403) {
    throw new AcrLoginError('OIDC_FAILED', ERROR_TEXTS.OIDC_FAILED.githubRequestTokenRefused(status));
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (status !== 200 || !hasFields(body, { value: 'string' }) || body.value === '') {
    throw new AcrLoginError(
      'OIDC_FAILED',
      `GitHub's OIDC token service answered HTTP ${status} without a token. Run the job again; if it keeps failing, check https://www.githubstatus.com.`,
    );
  }
  return body.value;
}
