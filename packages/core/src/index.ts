export { explainEntraError } from './aadsts.ts';
export { CLOUDS, resolveCloud } from './clouds.ts';
export * from './errors.ts';
export { defaultDispatcher } from './http.ts';
export { AUTH_TYPES, CLIENT_KINDS, INPUT_NAMES, type InputKey, type PlanFacts, planLogin } from './inputs.ts';
export { readOidcClaims, readTokenInfo } from './jwt.ts';
export { getAccessToken, login, logout, parseState } from './login.ts';
export { preferBaselineWasm } from './startup.ts';
export * from './types.ts';
