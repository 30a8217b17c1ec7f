import { AcrLoginError } from '../errors.ts';
import { isDnsName, isGuid, isTenantId, isUnderSuffix } from '../ids.ts';
import type { Cloud, InputKey } from '../types.ts';
import { input } from '../wording.ts';
import { splitList } from './values.ts';

/** Per-registry settings for cross-tenant setups: `contoso tenant-id=<guid> client-id=<guid> token-audience=arm`. */
export interface RegistryOverrides {
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly tokenAudience?: 'acr' | 'arm';
}

export interface RegistryEntry {
  /** Lower-case host (with `:port` only in custom clouds), e.g. `contoso.azurecr.io`. */
  readonly loginServer: string;
  readonly overrides: RegistryOverrides;
}

/** ACR registry names: 5-50 letters and digits (case-insensitive; the login server is lower case). */
const ACR_NAME = /^[a-z0-9]{5,50}$/;

/**
 * A registry name or login server, normalised to the lower-case host:
 * - `contoso` -> `contoso.<suffix>`; `https://Contoso.AzureCR.io/` -> `contoso.azurecr.io`.
 * - `http://` is refused: an Entra or ACR token must never travel in clear text.
 * - A path is refused with the host as the fix (the repository belongs in the image name).
 * - Ports: ACR login servers have none, so in a named cloud only `:443` (the https default, dropped) is
 *   accepted; a custom cloud may serve its registries on another port, kept as `host:port` because
 *   that is how clients key their config files.
 * - Data endpoints (`contoso.westeurope.data.azurecr.io`) serve layers, not logins: refused with the
 *   login server as the fix.
 */
export function normaliseLoginServer(value: string, cloud: Cloud, key: InputKey = 'registry'): string {
  const given: Given = { original: value.trim(), key };
  const text = hostAndPort(given, cloud);
  const { host, hostPort } = splitPort(given, cloud, text);
  if (!host.includes('.')) {
    if (!ACR_NAME.test(host)) {
      throw invalidServer(
        given,
        `which is neither a login server (a DNS name such as contoso.${cloud.registrySuffix}) nor a registry name (5-50 letters and digits, such as contoso).`,
      );
    }
    const loginServer = `${host}.${cloud.registrySuffix}`;
    return hostPort === host ? loginServer : `${loginServer}${hostPort.slice(host.length)}`;
  }
  checkLoginServerHost(given, cloud, host);
  return hostPort;
}

/** What the input said, for errors that quote it. */
interface Given {
  readonly original: string;
  readonly key: InputKey;
}

function invalidServer(given: Given, rule: string): AcrLoginError {
  return new AcrLoginError('REGISTRY_INVALID', `${input(given.key)} has "${given.original}", ${rule}`, {
    input: given.key,
  });
}

/** The lower-case `host[:port]`: an `https://` scheme and a trailing slash dropped, any other scheme or a path refused. */
function hostAndPort(given: Given, cloud: Cloud): string {
  const { original, key } = given;
  let text = original;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'http') {
    throw new AcrLoginError(
      'INPUT_INVALID',
      `${input(key)} has "${original}", but registries are reached over HTTPS only. Give the host without a scheme (or with https://).`,
      { input: key },
    );
  }
  if (scheme !== undefined && scheme !== 'https') {
    throw invalidServer(
      given,
      `which has the scheme "${scheme}://". Give the login server's host name, for example contoso.${cloud.registrySuffix}.`,
    );
  }
  if (scheme !== undefined) text = text.slice('https://'.length);
  if (text.endsWith('/')) text = text.slice(0, -1);
  const slash = text.indexOf('/');
  if (slash >= 0) {
    throw invalidServer(
      given,
      `which has a path. A login server is a host name only (the repository belongs in the image name): use "${text.slice(0, slash).toLowerCase()}".`,
    );
  }
  return text.toLowerCase();
}

/** The host, and `host:port` with `:443` dropped; another port only in a custom cloud. */
function splitPort(given: Given, cloud: Cloud, text: string): { host: string; hostPort: string } {
  const portMatch = /^(.*):(\d{1,5})$/.exec(text);
  if (portMatch === null) return { host: text, hostPort: text };
  const host = portMatch[1] ?? '';
  const port = Number(portMatch[2]);
  if (port === 443) return { host, hostPort: host };
  if (cloud.name !== 'custom') {
    throw invalidServer(
      given,
      `which has the port ${port}. Azure Container Registry login servers listen on 443 only: use "${host}".`,
    );
  }
  if (port < 1 || port > 65535) throw invalidServer(given, `whose port ${port} is outside 1-65535.`);
  return { host, hostPort: text };
}

/** A DNS name, and not a registry's data endpoint. */
function checkLoginServerHost(given: Given, cloud: Cloud, host: string): void {
  if (!isDnsName(host)) {
    throw invalidServer(
      given,
      'which is not a valid host name: labels are 1-63 letters, digits or hyphens, not starting or ending with a hyphen.',
    );
  }
  if (!isUnderSuffix(host, cloud.registrySuffix)) return;
  const labels = host.slice(0, -cloud.registrySuffix.length - 1).split('.');
  if (labels.length === 3 && labels[2] === 'data') {
    throw invalidServer(
      given,
      `which is a data endpoint (it serves image layers), not a login server. Use "${labels[0]}.${cloud.registrySuffix}".`,
    );
  }
}

const OVERRIDE_KEYS = ['tenant-id', 'client-id', 'token-audience'] as const;

/** One `registry` entry: a name or host, then optional whitespace-separated `key=value` overrides. */
export function parseRegistryEntry(entry: string, cloud: Cloud): RegistryEntry {
  const [first = '', ...rest] = entry.trim().split(/\s+/);
  const loginServer = normaliseLoginServer(first, cloud);
  const overrides: { tenantId?: string; clientId?: string; tokenAudience?: 'acr' | 'arm' } = {};
  const seen = new Set<string>();
  for (const item of rest) {
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : item.slice(eq + 1);
    const invalid = (rule: string) =>
      new AcrLoginError('REGISTRY_INVALID', `${input('registry')} entry for "${loginServer}": ${rule}`, {
        input: 'registry',
      });
    if (!(OVERRIDE_KEYS as readonly string[]).includes(key) || eq < 0) {
      throw invalid(
        `"${item}" is not a setting. After the registry, only ${OVERRIDE_KEYS.map((k) => `${k}=<value>`).join(', ')} may follow, separated by spaces; separate registries with commas or new lines.`,
      );
    }
    if (seen.has(key)) throw invalid(`"${key}" is given twice; give it once.`);
    seen.add(key);
    if (key === 'tenant-id') {
      if (!isTenantId(value)) {
        throw invalid(
          `tenant-id "${value}" is not a tenant: give the Directory (tenant) ID GUID or a domain such as contoso.onmicrosoft.com.`,
        );
      }
      overrides.tenantId = value;
    } else if (key === 'client-id') {
      if (!isGuid(value)) {
        throw invalid(`client-id "${value}" is not a GUID: give the Application (client) ID.`);
      }
      overrides.clientId = value;
    } else {
      const audience = value.toLowerCase();
      if (audience !== 'acr' && audience !== 'arm') {
        throw invalid(`token-audience "${value}" must be "acr" or "arm".`);
      }
      overrides.tokenAudience = audience;
    }
  }
  return { loginServer, overrides };
}

/** The registry names of the `registry` input, in the order given, without their overrides. */
export function registryNames(text: string): string[] {
  return splitList(text).map((entry) => entry.split(/\s+/)[0] ?? '');
}

/**
 * Every entry of the `registry` input. Entries that normalise to the same login server are merged;
 * the same server with different overrides is a conflict, since one login cannot use two identities.
 */
export function parseRegistries(text: string, cloud: Cloud): RegistryEntry[] {
  const entries = splitList(text).map((entry) => parseRegistryEntry(entry, cloud));
  if (entries.length === 0) {
    throw new AcrLoginError(
      'INPUT_REQUIRED',
      `${input('registry')} is empty. Give one or more registries (for example contoso or contoso.${cloud.registrySuffix}), separated by commas or new lines.`,
      { input: 'registry' },
    );
  }
  const merged = new Map<string, RegistryEntry>();
  for (const entry of entries) {
    const previous = merged.get(entry.loginServer);
    if (previous === undefined) {
      merged.set(entry.loginServer, entry);
    } else if (!sameOverrides(previous.overrides, entry.overrides)) {
      throw new AcrLoginError(
        'INPUT_CONFLICT',
        `${input('registry')} lists "${entry.loginServer}" twice with different settings. List it once, with the settings it needs.`,
        { input: 'registry' },
      );
    }
  }
  return [...merged.values()];
}

function sameOverrides(a: RegistryOverrides, b: RegistryOverrides): boolean {
  return (
    a.tenantId?.toLowerCase() === b.tenantId?.toLowerCase() &&
    a.clientId?.toLowerCase() === b.clientId?.toLowerCase() &&
    (a.tokenAudience ?? 'acr') === (b.tokenAudience ?? 'acr')
  );
}
