export { credentialsJson, NOT_FOUND_MESSAGE, normaliseServer } from '../helper-protocol.ts';
export * from './agent-client.ts';
export { AGENT_ARGUMENT, HELPER_ARGUMENT } from './bundle-commands.ts';
export * from './cache.ts';
export * from './cache-writer.ts';
export { type AskAgent, type HelperRequest, runCredentialHelper } from './helper-command.ts';
export {
  type HelperResult,
  RENEW_MARGIN_MS,
  RENEW_WAIT_TIMEOUT_MS,
  RETRY_AFTER_EXPIRY_MS,
  RETRY_WHILE_VALID_MS,
  type Renew,
  Renewals,
  type RenewFactory,
  type RenewFailure,
  renewAt,
  type ServerToken,
} from './renewals.ts';
export { type HelperRoute, removeHelperRoutes, routeToHelper } from './route-to-helper.ts';
export {
  newHelperName,
  type PrepareOptions,
  type RenewalFiles,
  removeRenewalFiles,
  renewalFiles,
  shimFile,
  shimText,
  writeRenewalFiles,
} from './shim.ts';
