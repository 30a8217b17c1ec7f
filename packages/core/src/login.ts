import { writeClientLogins } from './clients/client-logins.ts';
import type { ClientLogin } from './clients/login-entry.ts';
import { AcrLoginError, withContext } from './errors.ts';
import { defaultDispatcher, HttpClient, systemClock } from './http.ts';
import { describeIdentity } from './identity/kinds/index.ts';
import { entraScope } from './identity/scope.ts';
import { type EntraToken, entraTokens } from './identity/token.ts';
import { readTokenInfo } from './jwt.ts';
import type { LoginResult, LoginState } from './login-result.ts';
import type { LoginPlan, RegistryAuth, RegistryPlan } from './plan/login-plan.ts';
import type { RepositoryAccess } from './registry/access-protocol.ts';
import {
  accessTokenRequest,
  basicTokenRequest,
  type Challenge,
  challengeRequest,
  exchangeEntraToken,
  processAccessTokenResponse,
  processBasicTokenResponse,
  processChallengeResponse,
} from './registry/acr.ts';
import { ACR_REFRESH_TOKEN_USERNAME, type RegistryCredential } from './registry/credential.ts';
import type { Transport } from './transport.ts';
import type { ClientKind, Environment, Logger } from './types.ts';
import { basicCredentials } from './util.ts';

/**
 * Runs `work` with an HttpClient on the environment's dispatcher, or on one of our own that is closed as
 * soon as `work` is done, so idle keep-alive sockets do not hold the process open.
 */
async function withHttp<T>(environment: Environment, work: (http: HttpClient) => Promise<T>): Promise<T> {
  const own =
    environment.dispatcher === undefined ? defaultDispatcher(environment.env ?? process.env) : undefined;
  const http = new HttpClient({
    dispatcher: environment.dispatcher ?? (own as Transport),
    logger: environment.logger,
    ...(environment.sleep === undefined ? {} : { sleep: environment.sleep }),
    ...(environment.clock === undefined ? {} : { clock: environment.clock }),
  });
  try {
    return await work(http);
  } finally {
    await own?.close();
  }
}

type EntraTokens = ReturnType<typeof entraTokens>;

/**
 * Logs every registry of the plan in: Entra tokens (one per identity and scope) and `/v2/` challenges run
 * in parallel, then one exchange per registry; client files are written only when every registry
 * succeeded, so a failed run leaves them as they were.
 */
export async function login(plan: LoginPlan, environment: Environment): Promise<LoginResult> {
  const { credentials, access } = await withHttp(environment, (http) =>
    registryCredentials(http, plan, environment),
  );
  const { files, state } = await writeLogins(plan, credentials, environment);
  return { credentials, access, dockerConfig: files.docker ?? files.oras, files, state };
}

/** Every registry's credential, or one error naming each that failed; then the listed repositories' access. */
async function registryCredentials(
  http: HttpClient,
  plan: LoginPlan,
  environment: Environment,
): Promise<{ credentials: RegistryCredential[]; access: RepositoryAccess[] }> {
  const { logger } = environment;
  const entraToken = entraTokens({
    cloud: plan.cloud,
    http,
    clock: environment.clock ?? systemClock,
    dispatcher: http.dispatcher,
    logger,
    ...(environment.oidcToken === undefined ? {} : { oidcToken: environment.oidcToken }),
    ...(environment.debug === undefined ? {} : { debug: environment.debug }),
  });
  const settled = await Promise.allSettled(
    plan.registries.map((registry) =>
      loginRegistry(http, entraToken, plan, registry, logger).catch((error: unknown) => {
        throw withContext(error, `Registry "${registry.loginServer}"`);
      }),
    ),
  );
  const failures = settled.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failures.length > 0) throw combine(failures.map((failure) => failure.reason as AcrLoginError));
  const credentials = settled.map((result) => (result as PromiseFulfilledResult<RegistryCredential>).value);
  // Before any file is written: a missing grant fails the step here, not at the push after the build.
  let access: RepositoryAccess[] = [];
  if (plan.repositories.length > 0) {
    // Only steps that list repositories load the access check.
    const [{ checkAccess }, { accessTarget }] = await Promise.all([
      import('./registry/access-check.ts'),
      import('./registry/access-protocol.ts'),
    ]);
    const targets = plan.registries.map((registry, i) =>
      accessTarget(registry, credentials[i] as RegistryCredential),
    );
    access = await checkAccess(http, targets, plan.repositories, (token) => logger.mask(token));
  }
  return { credentials, access };
}

/** One registry: its `/v2/` challenge, then the credential its auth gives. */
async function loginRegistry(
  http: HttpClient,
  entraToken: EntraTokens,
  plan: LoginPlan,
  registry: RegistryPlan,
  logger: Logger,
): Promise<RegistryCredential> {
  const { loginServer, auth } = registry;
  const origin = `https://${loginServer}`;
  // Start the Entra token first: the challenge needs no credentials, so both travel at once.
  const tokenPromise =
    auth.type === 'entra' ? entraToken(auth.identity, entraScope(auth.audience, plan.cloud)) : undefined;
  tokenPromise?.catch(() => {}); // awaited below; avoid an unhandled rejection while the challenge runs
  const challenge: Challenge = processChallengeResponse(
    loginServer,
    await http.send(challengeRequest(origin)),
  );
  if (auth.type === 'anonymous') {
    if (!challenge.open) {
      const res = await http.send(basicTokenRequest({ origin, service: challenge.service }));
      processBasicTokenResponse(loginServer, true, res);
    }
    return {
      loginServer,
      username: '',
      password: '',
      expiresOn: undefined,
      authType: 'anonymous',
      identity: 'anonymous',
    };
  }
  if (auth.type === 'username-password') {
    const basic = { username: auth.username, password: auth.password };
    const res = await http.send(basicTokenRequest({ origin, service: challenge.service, basic }));
    processBasicTokenResponse(loginServer, false, res);
    return {
      loginServer,
      username: auth.username,
      password: auth.password,
      expiresOn: readTokenInfo(auth.password)?.expiresOn,
      authType: 'username-password',
      identity: `user ${auth.username}`,
    };
  }
  const entra = await (tokenPromise as Promise<EntraToken>);
  return entraCredential(http, { plan, registry, auth, challenge, entra }, logger);
}

/** An Entra login: the identity's token exchanged for the registry's refresh token. */
async function entraCredential(
  http: HttpClient,
  login: {
    readonly plan: LoginPlan;
    readonly registry: RegistryPlan;
    readonly auth: Extract<RegistryAuth, { type: 'entra' }>;
    readonly challenge: Challenge;
    readonly entra: EntraToken;
  },
  logger: Logger,
): Promise<RegistryCredential> {
  const { plan, registry, auth, challenge, entra } = login;
  const { loginServer } = registry;
  const identity = describeIdentity(auth.identity);
  const refreshToken = await exchangeEntraToken(http, {
    loginServer,
    origin: `https://${loginServer}`,
    service: challenge.service,
    identity: auth.identity,
    audience: auth.audience,
    entraToken: entra.token,
  });
  logger.mask(refreshToken, 'registry-password');
  return {
    loginServer,
    username: ACR_REFRESH_TOKEN_USERNAME,
    password: refreshToken,
    expiresOn: readTokenInfo(refreshToken)?.expiresOn,
    authType: plan.authType,
    identity,
    audience: entraScope(auth.audience, plan.cloud),
    ...(entra.subject === undefined ? {} : { oidcSubject: entra.subject }),
  };
}

/** The credentials into every client's file, masked first as the files and `docker login` hold them. */
async function writeLogins(
  plan: LoginPlan,
  credentials: readonly RegistryCredential[],
  environment: Environment,
): Promise<{ files: Partial<Record<ClientKind, string>>; state: LoginState }> {
  const { logger } = environment;
  const logins: ClientLogin[] = credentials
    .filter((credential) => credential.authType !== 'anonymous')
    .map(({ loginServer, username, password }) => ({ loginServer, username, password }));
  for (const { username, password } of logins) {
    logger.mask(password, 'registry-password');
    // What the config files hold, and what `docker login` prints in its debug output.
    logger.mask(basicCredentials(username, password), 'registry-password');
  }
  if (logins.length === 0) return { files: {}, state: { version: 1, entries: [] } };
  const written = await writeClientLogins(plan.clients, logins, {
    env: environment.env ?? process.env,
    logger,
    ...(environment.renewed === undefined ? {} : { renewed: environment.renewed }),
  });
  return { files: written.files, state: { version: 1, entries: written.entries } };
}

/**
 * A repository-scoped access token from a refresh token (`POST /oauth2/token`), for callers of the registry
 * API (`Authorization: Bearer`); `scopes` as ACR writes them, e.g. `repository:team/app:pull,push`.
 */
export async function getAccessToken(
  loginServer: string,
  refreshToken: string,
  scopes: readonly string[],
  environment: Environment,
): Promise<string> {
  const origin = `https://${loginServer}`;
  const res = await withHttp(environment, (http) =>
    http.send(accessTokenRequest({ origin, service: loginServer, refreshToken, scopes })),
  );
  const token = processAccessTokenResponse(loginServer, res);
  environment.logger.mask(token);
  return token;
}

/** One error for several failed registries: the first one's code, every message. */
function combine(errors: readonly AcrLoginError[]): AcrLoginError {
  const [first] = errors;
  if (first === undefined) throw new Error('unreachable: no errors');
  if (errors.length === 1) return first;
  return new AcrLoginError(first.code, errors.map((error) => error.text).join('\n'), {
    cause: new AggregateError(errors),
    details: first.details,
    ...(first.input === undefined ? {} : { input: first.input }),
  });
}
