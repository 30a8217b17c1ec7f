export {
  type HelperEntry,
  type HelperEntryRemoval,
  removeHelperEntries,
  writeHelperEntries,
} from './entries.ts';
export {
  type HelperRequest,
  type HelperResult,
  RENEW_LOCK_TIMEOUT_MS,
  RENEW_MARGIN_MS,
  RETRY_AFTER_EXPIRY_MS,
  RETRY_WHILE_VALID_MS,
  type Renew,
  type RenewFactory,
  renewAt,
  runCredentialHelper,
} from './helper.ts';
export { credentialsJson, NOT_FOUND_MESSAGE, normaliseServer } from './protocol.ts';
export {
  HELPER_ARGUMENT,
  newHelperName,
  type PrepareOptions,
  type RenewalFiles,
  removeRenewalFiles,
  renewalFiles,
  shimFile,
  shimText,
  writeRenewalFiles,
} from './shim.ts';
export {
  parseRenewState,
  type RenewFailure,
  type RenewState,
  readRenewState,
  type ServerToken,
  writeRenewState,
} from './state.ts';
