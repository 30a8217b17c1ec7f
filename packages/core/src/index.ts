export * from './errors.ts';
export { defaultDispatcher } from './http.ts';
export { type PlanFacts, planLogin } from './inputs.ts';
export { readOidcClaims, readTokenInfo } from './jwt.ts';
export { login, logout, parseState } from './login.ts';
export * from './types.ts';
