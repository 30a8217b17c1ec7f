import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError } from '../errors.ts';
import type { Creds } from '../identity/auth-kind.ts';
import { isGuid, isTenantId } from '../ids.ts';
import type { Values } from './auto.ts';
import { cloudForAuthority, cloudNameOf } from './clouds.ts';

/** The cloud `environment` names, or the one the `creds` authority belongs to; a conflict between them. */
export function environmentFor(values: Values, creds: Creds | undefined): string | undefined {
  const fromCreds = creds?.authorityHost === undefined ? undefined : cloudForAuthority(creds.authorityHost);
  if (values.environment === undefined) return fromCreds;
  const named = cloudNameOf(values.environment);
  if (fromCreds !== undefined && named !== undefined && named !== 'custom' && named !== fromCreds) {
    throw new AcrLoginError('INPUT_CONFLICT', ERROR_TEXTS.INPUT_CONFLICT.credsOtherCloud(named, fromCreds), {
      input: 'environment',
    });
  }
  return values.environment;
}

/**
 * `creds`: the JSON of `az ad sp create-for-rbac --sdk-auth` (clientId, clientSecret, tenantId,
 * activeDirectoryEndpointUrl, ...) or of plain `create-for-rbac` (appId, password, tenant). Messages
 * never quote the text, nor the parser's error (V8 quotes the input in it): it holds a secret.
 */
export function parseCreds(text: string): Creds {
  const invalid = (rule: string) =>
    new AcrLoginError('CREDS_INVALID', ERROR_TEXTS.CREDS_INVALID.notSdkAuthJson(rule), { input: 'creds' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('is not valid JSON (was the secret copied whole, with its braces and quotes?).');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('is JSON but not an object.');
  }
  const record = parsed as Record<string, unknown>;
  const field = (...names: string[]) => {
    for (const name of names) {
      const value = record[name];
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
    }
    return undefined;
  };
  const clientId = field('clientId', 'appId');
  const clientSecret = field('clientSecret', 'password');
  const tenantId = field('tenantId', 'tenant');
  const missing = [
    ...(clientId === undefined ? ['clientId (or appId)'] : []),
    ...(clientSecret === undefined ? ['clientSecret (or password)'] : []),
    ...(tenantId === undefined ? ['tenantId (or tenant)'] : []),
  ];
  if (clientId === undefined || clientSecret === undefined || tenantId === undefined) {
    throw invalid(`lacks ${missing.join(', ')}.`);
  }
  if (!isGuid(clientId)) throw invalid('has a clientId that is not a GUID.');
  if (!isTenantId(tenantId)) throw invalid('has a tenantId that is neither a GUID nor a domain.');
  return { clientId, clientSecret, tenantId, authorityHost: field('activeDirectoryEndpointUrl') };
}
