import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError } from '../errors.ts';
import type { AuthType, EnvInputKey, LoginInputKey } from '../types.ts';
import { blankToUndefined } from '../util.ts';
import { authTypeIs, authTypeSetting, input } from '../wording.ts';
import { AUTH_TYPES } from './names.ts';

/** What the host knows that planning needs; core never reads the CI's variables itself. */
export interface PlanFacts {
  /** The host can produce an OIDC token now (GitHub: ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN present). */
  readonly oidcAvailable: boolean;
  /** Why not, in the host's words (e.g. the missing `id-token: write` explanation) for the error. */
  readonly oidcUnavailableHint?: string;
  /** AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID from the environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Why this run must not log in as the machine unasked, in the host's words (a fork's pull request, a
   * Dependabot run); absent when nothing says so. `auto` then never picks a managed identity.
   */
  readonly untrustedRun?: string;
}

export type Values = Partial<Record<LoginInputKey, string>>;

export interface Choice {
  readonly authType: AuthType;
  /** Why, with input markers, for the log and for errors that depend on the choice. */
  readonly reason: string;
  readonly explicit: boolean;
  /** What to add should the login fail: the inputs may have meant another auth type. */
  readonly note?: string;
  /** `auto` chose the machine's own managed identity because nothing else was given. */
  readonly machineByDefault?: true;
}

/**
 * A secret whose name is misspelled, or that a run is not given, arrives empty, and `auto` then picks a
 * secretless type: say so when that type fails, as the likelier cause.
 */
function emptySecretNote(values: Values): string | undefined {
  const secretless =
    values.clientSecret === undefined && values.clientCertificate === undefined && values.creds === undefined;
  if (values.clientId === undefined || !secretless) return undefined;
  return `If you meant to sign in with a client secret, ${input('clientSecret')} is empty: check the secret's name and that the secret is available to this run.`;
}

/** `servicePrincipal`, `Service_Principal` and ` service-principal ` are all `service-principal`. */
export function parseAuthType(value: string | undefined): AuthType | 'auto' {
  const text = value?.trim() ?? '';
  if (text === '') return 'auto';
  const canonical = text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/_/g, '-');
  if (canonical === 'auto') return 'auto';
  const found = AUTH_TYPES.find((type) => type === canonical);
  if (found === undefined) {
    throw new AcrLoginError(
      'INPUT_INVALID',
      `${input('authType')} is "${text}", which is not an auth type. Use one of auto, ${AUTH_TYPES.join(', ')}.`,
      { input: 'authType' },
    );
  }
  return found;
}

export function envValue(facts: PlanFacts, name: EnvInputKey): string | undefined {
  return blankToUndefined(facts.env[name]);
}

/** The auth type: the explicit one, or what `auto` reads from the inputs and the host's facts. */
export function chooseAuthType(values: Values, facts: PlanFacts): Choice {
  const explicit = parseAuthType(values.authType);
  if (explicit !== 'auto') {
    if (explicit === 'oidc' && !facts.oidcAvailable) throw oidcUnavailable(facts, authTypeIs('oidc'));
    return { authType: explicit, reason: `${authTypeIs(explicit)}.`, explicit: true };
  }
  const note = emptySecretNote(values);
  return (
    byCredentialInputs(values, note) ??
    byFederatedToken(values, facts, note) ??
    byMachineIdentity(values, facts, note)
  );
}

function autoChose(authType: AuthType, because: string, note: string | undefined): Choice {
  return {
    authType,
    reason: `${because}, so ${authTypeSetting('auto')} chose ${authType}.`,
    explicit: false,
    ...(note === undefined ? {} : { note }),
  };
}

/** A password, a client secret or certificate, or a service connection says which type it is for. */
function byCredentialInputs(values: Values, note: string | undefined): Choice | undefined {
  if (values.username !== undefined || values.password !== undefined) {
    return autoChose('username-password', setList(values, ['username', 'password']), note);
  }
  if (
    values.clientSecret !== undefined ||
    values.clientCertificate !== undefined ||
    values.creds !== undefined
  ) {
    return autoChose(
      'service-principal',
      setList(values, ['creds', 'clientSecret', 'clientCertificate']),
      note,
    );
  }
  if (values.serviceConnectionId !== undefined) {
    return autoChose('azure-pipelines', `${input('serviceConnectionId')} is set`, note);
  }
  return undefined;
}

/** An OIDC token from the CI system or a Kubernetes federated token file. */
function byFederatedToken(values: Values, facts: PlanFacts, note: string | undefined): Choice | undefined {
  const federatedTokenFile = envValue(facts, 'AZURE_FEDERATED_TOKEN_FILE');
  if (values.clientId !== undefined && values.tenantId !== undefined) {
    if (facts.oidcAvailable) {
      return autoChose(
        'oidc',
        `${input('clientId')} and ${input('tenantId')} are set and an OIDC token is available`,
        note,
      );
    }
    if (federatedTokenFile === undefined) {
      // Falling through to managed identity would make a runner wait on an IMDS that is not there.
      throw oidcUnavailable(
        facts,
        `${input('clientId')} and ${input('tenantId')} are set, which means OIDC when ${authTypeIs('auto')}`,
        ` To use a user-assigned managed identity instead, set ${authTypeSetting('managed-identity')} and leave ${input('tenantId')} empty.${note === undefined ? '' : ` ${note}`}`,
      );
    }
  }
  if (federatedTokenFile !== undefined) {
    return autoChose(
      'workload-identity',
      'AZURE_FEDERATED_TOKEN_FILE is set (Kubernetes workload identity)',
      note,
    );
  }
  if (values.tenantId !== undefined && facts.oidcAvailable) {
    // A managed identity takes no tenant: this is OIDC without its client id, which planning then names.
    return autoChose('oidc', `${input('tenantId')} is set and an OIDC token is available`, note);
  }
  return undefined;
}

/** A user-assigned managed identity the inputs name, or else the machine's own, unless the run is untrusted. */
function byMachineIdentity(values: Values, facts: PlanFacts, note: string | undefined): Choice {
  if (values.clientId !== undefined || values.managedIdentityResourceId !== undefined) {
    const why = `${setList(values, ['clientId', 'managedIdentityResourceId'])} without ${input('tenantId')}, which selects a user-assigned managed identity`;
    if (facts.untrustedRun !== undefined) throw machineRefused(facts.untrustedRun, why, note);
    return autoChose('managed-identity', why, note);
  }
  const nothing = 'No credential, OIDC token or federated token file is available';
  if (facts.untrustedRun !== undefined) throw machineRefused(facts.untrustedRun, nothing, note);
  return {
    authType: 'managed-identity',
    reason: `${nothing}, so ${authTypeSetting('auto')} chose managed-identity (the identity of this Azure machine).`,
    explicit: false,
    machineByDefault: true,
  };
}

/**
 * `auto` would log in as the machine where the run may execute someone else's code with none of the
 * repository's secrets: its inputs are empty because they were withheld, not chosen empty.
 */
function machineRefused(untrustedRun: string, why: string, note: string | undefined): AcrLoginError {
  return new AcrLoginError(
    'INPUT_REQUIRED',
    `${ERROR_TEXTS.INPUT_REQUIRED.machineInUntrustedRun(why, untrustedRun)}${note === undefined ? '' : ` ${note}`}`,
    { input: 'authType' },
  );
}

function oidcUnavailable(facts: PlanFacts, why: string, extra = ''): AcrLoginError {
  const hint = facts.oidcUnavailableHint?.trim();
  return new AcrLoginError(
    'OIDC_UNAVAILABLE',
    `${why}, but this job cannot get an OIDC token. ${hint === undefined || hint === '' ? 'The CI system offers none to it.' : hint}${extra}`,
    { input: 'authType' },
  );
}

/** `"username" and "password" are set`, naming only those that are. */
function setList(values: Values, keys: readonly LoginInputKey[]): string {
  const set = keys.filter((key) => values[key] !== undefined).map(input);
  return `${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set`;
}
