export * from './errors.ts';
export { defaultDispatcher } from './http.ts';
export { explainEntraError } from './identity/aadsts.ts';
export { getAccessToken, login, logout, parseState } from './login.ts';
export { CLOUDS, resolveCloud } from './plan/clouds.ts';
export {
  AUTH_TYPES,
  CLIENT_KINDS,
  INPUT_NAMES,
  type InputKey,
  type PlanFacts,
  planLogin,
} from './plan/plan.ts';
export { readOidcClaims, readTokenInfo } from './registry/jwt.ts';
export { failureLines, type LoginOutputs, loginOutputs, secretPieces } from './step/report.ts';
export { preferBaselineWasm } from './step/startup.ts';
export * from './types.ts';
