/** Small helpers more than one stage needs: one copy each. */

/** An input's value trimmed, or undefined when it is blank. */
export function blankToUndefined(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text === undefined || text === '' ? undefined : text;
}

/**
 * IMDS and loopback are on this machine: a proxy cannot reach them, and must never see their tokens.
 * `hostname` as `URL.hostname` gives it (IPv6 in brackets).
 */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === '169.254.169.254' || host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/** base64 of `user:password`: what Basic auth sends and what `auths.<server>.auth` holds. */
export function basicCredentials(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}
