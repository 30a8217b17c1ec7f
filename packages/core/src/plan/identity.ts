import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError } from '../errors.ts';
import type { BuildContext, Creds, IdentityInput, Label } from '../identity/auth-kind.ts';
import { IDENTITY_INPUTS } from '../identity/auth-kind.ts';
import { type Identity, KINDS } from '../identity/kinds/index.ts';
import { isGuid, isTenantId } from '../ids.ts';
import type { AuthType, Cloud, EntraAuthType, InputKey } from '../types.ts';
import { authTypeIs, input } from '../wording.ts';
import { type Choice, envValue, type PlanFacts, type Values } from './auto.ts';
import { PLAIN_AUTH_TYPES } from './names.ts';
import type { RegistryEntry } from './registries.ts';

/** The identity inputs each auth type uses: the Entra kinds say theirs. */
function accepted(authType: AuthType): readonly IdentityInput[] {
  if (authType === 'username-password') return ['username', 'password'];
  if ((PLAIN_AUTH_TYPES as readonly string[]).includes(authType)) return [];
  return KINDS[authType as EntraAuthType].accepts;
}

/** Refuses identity inputs the chosen auth type would silently ignore, and contradictory pairs. */
export function checkBelongs(choice: Choice, values: Values): void {
  const allowed = accepted(choice.authType);
  for (const key of IDENTITY_INPUTS) {
    if (values[key] === undefined || allowed.includes(key)) continue;
    const why = choice.explicit ? authTypeIs(choice.authType) : choice.reason.replace(/\.$/, '');
    throw new AcrLoginError(
      'INPUT_CONFLICT',
      `${input(key)} is set, but ${why}, which does not use it. Remove ${input(key)}, or set ${input('authType')} to the type it belongs to.`,
      { input: key },
    );
  }
  const conflict = (a: InputKey, b: InputKey, rule: string) =>
    new AcrLoginError('INPUT_CONFLICT', `${input(a)} and ${input(b)} are both set: ${rule}`, { input: a });
  if (values.clientSecret !== undefined && values.clientCertificate !== undefined) {
    throw conflict(
      'clientSecret',
      'clientCertificate',
      'a service principal signs in with one of them. Keep one.',
    );
  }
  if (values.creds !== undefined && values.clientSecret !== undefined) {
    throw conflict('creds', 'clientSecret', `${input('creds')} already holds the secret. Keep one.`);
  }
  if (values.creds !== undefined && values.clientCertificate !== undefined) {
    throw conflict(
      'creds',
      'clientCertificate',
      `${input('creds')} holds a secret for the same purpose. Use ${input('clientCertificate')} with ${input('clientId')} and ${input('tenantId')} instead.`,
    );
  }
  if (values.clientId !== undefined && values.managedIdentityResourceId !== undefined) {
    throw conflict(
      'managedIdentityResourceId',
      'clientId',
      'each selects a user-assigned managed identity. Keep one.',
    );
  }
  if (values.clientCertificatePassword !== undefined && values.clientCertificate === undefined) {
    throw new AcrLoginError(
      'INPUT_CONFLICT',
      `${input('clientCertificatePassword')} is set without ${input('clientCertificate')}: it only decrypts the private key of that certificate. Set ${input('clientCertificate')} or remove the password.`,
      { input: 'clientCertificatePassword' },
    );
  }
}

export function checkClientId(value: string | undefined, key: InputKey): string | undefined {
  if (value === undefined || isGuid(value)) return value;
  throw new AcrLoginError(
    'INPUT_INVALID',
    `${input(key)} is "${value}", which is not a GUID. Use the Application (client) ID from the app registration's or managed identity's Overview page.`,
    { input: key },
  );
}

export function checkTenantId(value: string | undefined, key: InputKey): string | undefined {
  if (value === undefined || isTenantId(value)) return value;
  throw new AcrLoginError(
    'INPUT_INVALID',
    `${input(key)} is "${value}", which is neither a GUID nor a domain. Use the Directory (tenant) ID from the app registration's Overview page, or a verified domain such as contoso.onmicrosoft.com.`,
    { input: key },
  );
}

/** Every missing value named at once, so one run shows the whole fix. */
export function requireFields<T extends Record<string, string | undefined>>(
  authType: AuthType,
  fields: T,
  labels: Partial<Record<keyof T, Label>> = {},
): { [K in keyof T]-?: string } {
  const missing = Object.keys(fields).filter((key) => fields[key] === undefined) as (keyof T & string)[];
  if (missing.length === 0) return fields as unknown as { [K in keyof T]-?: string };
  const label = (key: keyof T & string) =>
    labels[key] ?? { text: input(key as InputKey), input: key as InputKey };
  const [first] = missing;
  throw new AcrLoginError(
    'INPUT_REQUIRED',
    ERROR_TEXTS.INPUT_REQUIRED.kindNeedsInputs(
      authType,
      missing.map((key) => label(key).text),
    ),
    { input: label(first as keyof T & string).input },
  );
}

/** The identity the inputs describe, before any registry's own overrides. */
export function buildIdentity(
  authType: EntraAuthType,
  values: Values,
  facts: PlanFacts,
  creds: Creds | undefined,
  cloud: Cloud,
): Identity {
  const ctx: BuildContext = {
    cloud,
    value: (key) => values[key],
    env: (name) => envValue(facts, name),
    clientId: checkClientId(values.clientId, 'clientId'),
    tenantId: checkTenantId(values.tenantId, 'tenantId'),
    creds,
    checkClientId,
    checkTenantId,
    require: (fields, labels) => requireFields(authType, fields, labels),
  };
  return KINDS[authType].build(ctx);
}

/** The identity for one registry: the base identity with that registry's tenant/client overrides. */
export function registryIdentity(base: Identity, entry: RegistryEntry): Identity {
  const { tenantId, clientId } = entry.overrides;
  const allowed = KINDS[base.type].overridable;
  const name = (key: 'tenantId' | 'clientId') => (key === 'tenantId' ? 'tenant-id' : 'client-id');
  for (const [key, value] of [
    ['tenantId', tenantId],
    ['clientId', clientId],
  ] as const) {
    if (value !== undefined && !allowed.includes(key)) {
      throw new AcrLoginError(
        'INPUT_CONFLICT',
        ERROR_TEXTS.INPUT_CONFLICT.overrideNotAllowed(
          entry.loginServer,
          name(key),
          base.type,
          allowed.map(name),
        ),
        { input: 'registry' },
      );
    }
  }
  return {
    ...base,
    ...(tenantId === undefined ? {} : { tenantId }),
    ...(clientId === undefined ? {} : { clientId }),
  } as Identity;
}
