import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError } from '../errors.ts';
import type { Creds } from '../identity/auth-kind.ts';
import { isUnderSuffix } from '../ids.ts';
import type { AuthType, Cloud, EntraAuthType, LoginInputs, TokenAudience } from '../types.ts';
import { LOGIN_INPUT_KEYS } from '../types.ts';
import { authTypeSetting, input } from '../wording.ts';
import { chooseAuthType, type PlanFacts, type Values } from './auto.ts';
import { resolveCloud } from './clouds.ts';
import { environmentFor, parseCreds } from './creds.ts';
import { buildIdentity, checkBelongs, registryIdentity, requireFields } from './identity.ts';
import type { LoginPlan, RegistryAuth, RegistryPlan } from './login-plan.ts';
import { isEntraAuthType, SECRET_INPUTS } from './names.ts';
import { normaliseLoginServer, parseRegistries, type RegistryEntry } from './registries.ts';
import { parseRepositories } from './repositories.ts';
import { checkAudience, parseClients, parseTokenAudience, splitList } from './values.ts';

/**
 * Validates and normalises every input into a `LoginPlan`. Pure: no I/O, no clock; everything it needs
 * from the world comes in `facts`. Throws `AcrLoginError` naming the input at fault.
 */
export function planLogin(inputs: LoginInputs, facts: PlanFacts): LoginPlan {
  const values = trimInputs(inputs);
  const secrets = collectSecrets(values);
  const creds = values.creds === undefined ? undefined : parseCreds(values.creds);
  if (creds !== undefined) secrets.add(creds.clientSecret);

  const cloud = resolveCloud({
    environment: environmentFor(values, creds),
    authorityHost: values.authorityHost,
    registrySuffix: values.registrySuffix,
  });
  const choice = chooseAuthType(values, facts);
  const { authType } = choice;
  checkBelongs(choice, values);
  const tokenAudience = parseTokenAudience(values.tokenAudience, 'tokenAudience');
  const entries = parseRegistries(inputs.registry, cloud);
  const registries = isEntraAuthType(authType)
    ? entraRegistries(entries, { authType, values, facts, creds, cloud, tokenAudience })
    : plainRegistries(entries, authType, values);

  return {
    cloud,
    authType,
    reason: choice.reason,
    ...(choice.note === undefined ? {} : { note: choice.note }),
    ...(choice.machineByDefault === true ? { machineByDefault: true } : {}),
    registries,
    clients: parseClients(values.clients),
    repositories: parseRepositories(
      values.repositories ?? '',
      registries.map((registry) => registry.loginServer),
    ),
    secrets: [...secrets],
  };
}

/** Anonymous or username-password: one credential for every registry, which may not override it. */
function plainRegistries(
  entries: readonly RegistryEntry[],
  authType: AuthType,
  values: Values,
): RegistryPlan[] {
  const auth: RegistryAuth =
    authType === 'anonymous'
      ? { type: 'anonymous' }
      : {
          type: 'username-password',
          ...requireFields(authType, { username: values.username, password: values.password }),
        };
  return entries.map((entry) => {
    refuseOverrides(entry, authType);
    return { loginServer: entry.loginServer, auth };
  });
}

interface EntraPlanning {
  readonly authType: EntraAuthType;
  readonly values: Values;
  readonly facts: PlanFacts;
  readonly creds: Creds | undefined;
  readonly cloud: Cloud;
  readonly tokenAudience: TokenAudience;
}

/** An Entra identity per registry: the base one with each entry's overrides, and the audience it may have. */
function entraRegistries(entries: readonly RegistryEntry[], planning: EntraPlanning): RegistryPlan[] {
  const { authType, values, facts, creds, cloud, tokenAudience } = planning;
  const base = buildIdentity(authType, values, facts, creds, cloud);
  const trusted = new Set(
    splitList(values.trustedRegistries ?? '').map((item) =>
      normaliseLoginServer(item, cloud, 'trustedRegistries'),
    ),
  );
  return entries.map((entry) => {
    checkTrusted(entry.loginServer, cloud, trusted);
    const own = entry.overrides.tokenAudience;
    const audience = checkAudience(
      own ?? tokenAudience,
      cloud,
      own === undefined ? 'tokenAudience' : 'registry',
    );
    if (audience === 'arm') checkArmTarget(entry.loginServer, cloud, own !== undefined);
    return {
      loginServer: entry.loginServer,
      auth: { type: 'entra', identity: registryIdentity(base, entry), audience },
    };
  });
}

function trimInputs(inputs: LoginInputs): Values {
  const values: Values = {};
  for (const key of LOGIN_INPUT_KEYS) {
    const value = inputs[key]?.trim();
    if (value !== undefined && value !== '') values[key] = value;
  }
  return values;
}

function collectSecrets(values: Values): Set<string> {
  const secrets = new Set<string>();
  for (const key of SECRET_INPUTS) {
    const value = values[key];
    if (value !== undefined) secrets.add(value);
  }
  // A certificate path is not a secret; PEM text (with its private key) is.
  if (values.clientCertificate?.includes('-----BEGIN') === true) secrets.add(values.clientCertificate);
  return secrets;
}

function refuseOverrides(entry: RegistryEntry, authType: string): void {
  if (Object.keys(entry.overrides).length === 0) return;
  throw new AcrLoginError(
    'INPUT_CONFLICT',
    `${input('registry')} gives "${entry.loginServer}" tenant-id, client-id or token-audience settings, which ${authTypeSetting(authType)} does not use. Remove them from that entry.`,
    { input: 'registry' },
  );
}

/**
 * An ARM token works on every Azure Resource Manager API the identity can reach, not on registries alone: it
 * goes only to hosts under the cloud's registry suffix, never to one that `trustedRegistries` admits.
 */
function checkArmTarget(loginServer: string, cloud: Cloud, perRegistry: boolean): void {
  if (isUnderSuffix(loginServer, cloud.registrySuffix)) return;
  const asked = perRegistry
    ? `${input('registry')} gives "${loginServer}" token-audience=arm`
    : `${input('tokenAudience')} is arm`;
  throw new AcrLoginError(
    'INPUT_CONFLICT',
    ERROR_TEXTS.INPUT_CONFLICT.armTokenOffSuffix(asked, loginServer, cloud.registrySuffix),
    { input: perRegistry ? 'registry' : 'tokenAudience' },
  );
}

function checkTrusted(loginServer: string, cloud: Cloud, trusted: ReadonlySet<string>): void {
  if (isUnderSuffix(loginServer, cloud.registrySuffix) || trusted.has(loginServer)) return;
  throw new AcrLoginError(
    'REGISTRY_UNTRUSTED',
    ERROR_TEXTS.REGISTRY_UNTRUSTED.outsideSuffix(loginServer, cloud),
    { input: 'registry' },
  );
}
