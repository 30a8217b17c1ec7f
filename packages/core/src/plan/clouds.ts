import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError } from '../errors.ts';
import { isDnsName } from '../ids.ts';
import type { Cloud } from '../types.ts';
import { blankToUndefined } from '../util.ts';
import { input } from '../wording.ts';

type KnownCloudName = Exclude<Cloud['name'], 'custom'>;

export const CLOUDS: Readonly<Record<KnownCloudName, Cloud>> = {
  AzureCloud: {
    name: 'AzureCloud',
    authorityHost: 'https://login.microsoftonline.com',
    registrySuffix: 'azurecr.io',
    oidcAudience: 'api://AzureADTokenExchange',
    armScope: 'https://management.azure.com/.default',
    disableInstanceDiscovery: false,
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    authorityHost: 'https://login.chinacloudapi.cn',
    registrySuffix: 'azurecr.cn',
    oidcAudience: 'api://AzureADTokenExchangeChina',
    armScope: 'https://management.chinacloudapi.cn/.default',
    disableInstanceDiscovery: false,
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    authorityHost: 'https://login.microsoftonline.us',
    registrySuffix: 'azurecr.us',
    oidcAudience: 'api://AzureADTokenExchangeUSGov',
    armScope: 'https://management.usgovcloudapi.net/.default',
    disableInstanceDiscovery: false,
  },
};

/**
 * Accepted `environment` values, lower case. Besides the azure/login and Azure CLI names we accept the
 * names the Azure SDKs for Go/Java/.NET use (`AzurePublicCloud`, `AzureUSGovernmentCloud`), because users
 * copy `AZURE_ENVIRONMENT` values from those. `AzureStack` is what an Azure Pipelines service connection
 * reports for Azure Stack Hub: it is a custom cloud.
 */
const ALIASES: Readonly<Record<string, KnownCloudName | 'custom'>> = {
  azurecloud: 'AzureCloud',
  azurepubliccloud: 'AzureCloud',
  azurechinacloud: 'AzureChinaCloud',
  azureusgovernment: 'AzureUSGovernment',
  azureusgovernmentcloud: 'AzureUSGovernment',
  custom: 'custom',
  azurestack: 'custom',
};

export const CLOUD_NAMES = ['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment', 'custom'] as const;

/** Default OIDC audience of a custom cloud: Azure Stack and private clouds use the public value. */
const CUSTOM_OIDC_AUDIENCE = 'api://AzureADTokenExchange';

export interface CloudInputs {
  readonly environment?: string | undefined;
  readonly authorityHost?: string | undefined;
  readonly registrySuffix?: string | undefined;
  /** OIDC audience override; defaults to the cloud's. */
  readonly audience?: string | undefined;
}

/**
 * The cloud named by `environment` (case-insensitive, default `AzureCloud`).
 *
 * `custom` (or `AzureStack`) needs `authority-host` and `registry-suffix`. It has no ARM scope (`armScope`
 * is empty: `token-audience: arm` is refused for it) and sets `disableInstanceDiscovery`, since MSAL
 * would otherwise ask the public cloud about an authority it does not know.
 *
 * With a named cloud:
 * - `authority-host` is an override (a private or proxied Entra endpoint): the cloud keeps its suffix,
 *   audience and ARM scope; a host other than the cloud's own also disables instance discovery.
 * - `registry-suffix` must equal the cloud's suffix. A different one is a conflict, not an override,
 *   because the suffix decides which hosts receive an Entra token: use `trusted-registries` for single
 *   hosts, or `environment: custom` for a different cloud.
 */
export function resolveCloud(inputs: CloudInputs): Cloud {
  const environment = inputs.environment?.trim() ?? '';
  const name = cloudNameOf(environment);
  if (name === undefined) {
    throw new AcrLoginError(
      'CLOUD_UNKNOWN',
      ERROR_TEXTS.CLOUD_UNKNOWN.unknownCloud(environment, CLOUD_NAMES),
      { input: 'environment' },
    );
  }
  const authorityInput = blankToUndefined(inputs.authorityHost);
  const suffixInput = blankToUndefined(inputs.registrySuffix);
  const audience = blankToUndefined(inputs.audience);

  if (name === 'custom') {
    const missing = [
      ...(authorityInput === undefined ? (['authorityHost'] as const) : []),
      ...(suffixInput === undefined ? (['registrySuffix'] as const) : []),
    ];
    if (authorityInput === undefined || suffixInput === undefined) {
      throw new AcrLoginError(
        'INPUT_REQUIRED',
        ERROR_TEXTS.INPUT_REQUIRED.customCloudIncomplete(environment, missing),
        { input: missing[0] ?? 'environment' },
      );
    }
    return {
      name: 'custom',
      authorityHost: normaliseAuthorityHost(authorityInput),
      registrySuffix: normaliseRegistrySuffix(suffixInput),
      oidcAudience: audience ?? CUSTOM_OIDC_AUDIENCE,
      armScope: '',
      disableInstanceDiscovery: true,
    };
  }

  const known = CLOUDS[name];
  if (suffixInput !== undefined) {
    const suffix = normaliseRegistrySuffix(suffixInput);
    if (suffix !== known.registrySuffix) {
      throw new AcrLoginError(
        'INPUT_CONFLICT',
        ERROR_TEXTS.INPUT_CONFLICT.suffixOfNamedCloud(suffix, environment, known),
        { input: 'registrySuffix' },
      );
    }
  }
  const authorityHost =
    authorityInput === undefined ? known.authorityHost : normaliseAuthorityHost(authorityInput);
  return {
    ...known,
    authorityHost,
    oidcAudience: audience ?? known.oidcAudience,
    disableInstanceDiscovery: authorityHost !== known.authorityHost,
  };
}

/** The cloud an `environment` value names (case-insensitive; empty is AzureCloud), or undefined. */
export function cloudNameOf(environment: string): KnownCloudName | 'custom' | undefined {
  const text = environment.trim();
  return text === '' ? 'AzureCloud' : ALIASES[text.toLowerCase()];
}

/** The named cloud whose Entra authority is `url` (as in the `activeDirectoryEndpointUrl` of `--sdk-auth` creds). */
export function cloudForAuthority(url: string): KnownCloudName | undefined {
  let origin: string;
  try {
    origin = new URL(url.trim()).origin.toLowerCase();
  } catch {
    return undefined;
  }
  // MSAL's alias for the China authority (protocol-facts: it rewrites login.chinacloudapi.cn to it).
  if (origin === 'https://login.partner.microsoftonline.cn') return 'AzureChinaCloud';
  for (const cloud of Object.values(CLOUDS)) {
    if (cloud.authorityHost === origin) return cloud.name as KnownCloudName;
  }
  return undefined;
}

/** An https URL reduced to its origin. A path is refused: the tenant goes into `tenant-id`, not the URL. */
export function normaliseAuthorityHost(value: string): string {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AcrLoginError(
      'INPUT_INVALID',
      `${input('authorityHost')} is "${text}", which is not a URL. Give the https URL of Microsoft Entra ID, for example https://login.microsoftonline.com.`,
      { input: 'authorityHost' },
    );
  }
  if (url.protocol !== 'https:') {
    throw new AcrLoginError(
      'INPUT_INVALID',
      `${input('authorityHost')} is "${text}", but Microsoft Entra ID is reached over HTTPS only. Use an https:// URL.`,
      { input: 'authorityHost' },
    );
  }
  if (
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.pathname !== '/'
  ) {
    throw new AcrLoginError('INPUT_INVALID', ERROR_TEXTS.INPUT_INVALID.authorityHostNotOrigin, {
      input: 'authorityHost',
    });
  }
  return url.origin;
}

/** A DNS suffix such as `azurecr.io`: lower case, leading dot stripped, at least two labels. */
export function normaliseRegistrySuffix(value: string): string {
  const suffix = value.trim().toLowerCase().replace(/^\./, '');
  if (!isDnsName(suffix) || !suffix.includes('.')) {
    throw new AcrLoginError(
      'INPUT_INVALID',
      `${input('registrySuffix')} is "${value.trim()}", which is not a DNS suffix. Give the domain the registries' login servers end in, without scheme or dots around it, for example azurecr.io.`,
      { input: 'registrySuffix' },
    );
  }
  return suffix;
}
