/** The shapes of the identifiers inputs carry: checked when planning and when building identities. */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** A tenant is a GUID or one of its verified domains (`contoso.onmicrosoft.com`). */
export function isTenantId(value: string): boolean {
  return isGuid(value) || (value.includes('.') && isDnsName(value.toLowerCase()));
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-case DNS name: labels of 1-63 letters, digits and hyphens, not starting or ending with a hyphen. */
export function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => LABEL.test(label));
}

/** `host` is a strict subdomain of `suffix`: `x.azurecr.io` is under `azurecr.io`, `evilazurecr.io` is not. */
export function isUnderSuffix(host: string, suffix: string): boolean {
  const name = host.toLowerCase().replace(/:\d+$/, '');
  const dotted = `.${suffix.toLowerCase().replace(/^\./, '')}`;
  return name.length > dotted.length && name.endsWith(dotted);
}
