/** Small helpers more than one stage needs: one copy each. */

/** An input's value trimmed, or undefined when it is blank. */
export function blankToUndefined(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text === undefined || text === '' ? undefined : text;
}

/** A host without the brackets of an IPv6 literal, as `URL.hostname` writes one: `[::1]` -> `::1`. */
export function unbracketHost(host: string): string {
  return host.replace(/^\[|\]$/g, '');
}

/**
 * IMDS and loopback are on this machine: a proxy cannot reach them, and must never see their tokens.
 * `hostname` as `URL.hostname` gives it (IPv6 in brackets).
 */
export function isLocalHost(hostname: string): boolean {
  const host = unbracketHost(hostname).toLowerCase();
  return (
    host === '169.254.169.254' || host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/** base64 of `user:password`: what Basic auth sends and what `auths.<server>.auth` holds. */
export function basicCredentials(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}

/** What each `typeof` name stands for, for the fields `hasFields` checks. */
interface FieldTypes {
  readonly string: string;
  readonly number: number;
  readonly boolean: boolean;
}

/** Whether `value` (as JSON.parse gave it) is an object whose named fields hold values of the given types. */
export function hasFields<F extends Record<string, keyof FieldTypes>>(
  value: unknown,
  fields: F,
): value is { readonly [K in keyof F]: FieldTypes[F[K]] } {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return Object.entries(fields).every(([name, type]) => typeof record[name] === type);
}
