export type { WrittenEntry } from './clients/login-entry.ts';
export * from './errors.ts';
export { defaultDispatcher } from './http.ts';
export { explainEntraError } from './identity/aadsts.ts';
export { type GithubOidcEndpoint, githubOidcProvider } from './identity/github-oidc.ts';
export { describeIdentity, type Identity, identityKey } from './identity/kinds/index.ts';
export { ACR_SCOPE } from './identity/scope.ts';
export { readOidcClaims, readTokenInfo } from './jwt.ts';
export { inertLine } from './log-text.ts';
export { getAccessToken, login } from './login.ts';
export type { LoginResult, LoginState } from './login-result.ts';
export { logout, parseState } from './logout.ts';
export type { PlanFacts } from './plan/auto.ts';
export { CLOUDS, resolveCloud } from './plan/clouds.ts';
export type { LoginPlan, RegistryAuth, RegistryPlan } from './plan/login-plan.ts';
export { AUTH_TYPES, CLIENT_KINDS, SECRET_INPUTS } from './plan/names.ts';
export { planLogin } from './plan/plan.ts';
export { registryNames } from './plan/registries.ts';
export { ACR_REFRESH_TOKEN_USERNAME, type RegistryCredential } from './registry/credential.ts';
export * from './step/host.ts';
export {
  ACCESS_TABLE_HEADER,
  failureLines,
  failureText,
  type LoginOutputs,
  loginOutputs,
  maskOnce,
  secretPieces,
  TROUBLESHOOTING_URL,
  troubleshootingLink,
} from './step/report.ts';
export { englishText, runStep } from './step/run.ts';
export * from './transport.ts';
export * from './types.ts';
export { basicCredentials, blankToUndefined, isLocalHost } from './util.ts';
export * from './wording.ts';
