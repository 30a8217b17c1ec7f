import { ERROR_TEXTS } from './error-texts.ts';
import { AcrLoginError, errorMessage } from './errors.ts';
import { NetworkTimeoutError } from './net/stages.ts';

// What a request that failed on the network becomes: an error that names the host, what happened and the fix.

const TEXTS = ERROR_TEXTS.REGISTRY_UNREACHABLE;

export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  // undici wraps socket errors; the code that tells what happened is often on the cause.
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
    current = current.cause;
  }
  return undefined;
}

/** Node's codes for a certificate chain it cannot verify: a TLS-inspecting proxy, usually. */
const TLS_TRUST = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

function timeoutText(purpose: string, url: URL, error: NetworkTimeoutError, attempts: number): string {
  const host = url.host;
  const tries = attempts === 1 ? '' : ` (${attempts} attempts)`;
  const fix =
    error.proxy === undefined
      ? TEXTS.timedOutDirect(host)
      : TEXTS.timedOutViaProxy(error.proxy, host, url.hostname);
  return `The ${purpose} timed out: ${error.message}${tries}. ${fix}`;
}

/** A name that does not resolve, or a certificate not trusted here; undefined for any other failure. */
function nameOrTrustText(purpose: string, host: string, code: string | undefined): string | undefined {
  if (code === 'ENOTFOUND' || code === 'EAI_NONAME') {
    return TEXTS.unresolvedHost(purpose, host);
  }
  if (code !== undefined && TLS_TRUST.has(code)) {
    return TEXTS.untrustedCertificate(purpose, host, code);
  }
  return undefined;
}

/**
 * A connection to the proxy itself that failed (refused, its name unresolved, an https proxy's certificate
 * not trusted); undefined for any other failure.
 */
function proxyConnectText(
  purpose: string,
  host: string,
  error: unknown,
  code: string | undefined,
): string | undefined {
  const { proxyConnect: proxy, proxySource: source } = error as {
    proxyConnect?: unknown;
    proxySource?: unknown;
  };
  if (typeof proxy !== 'string') return undefined;
  if (code !== undefined && TLS_TRUST.has(code)) return TEXTS.untrustedCertificate(purpose, proxy, code);
  const reason =
    code === 'ENOTFOUND' || code === 'EAI_NONAME'
      ? 'its name does not resolve'
      : (code ?? errorMessage(error));
  return TEXTS.proxyUnreachable(
    purpose,
    proxy,
    host,
    reason,
    typeof source === 'string' ? source : 'HTTPS_PROXY',
  );
}

/** A proxy that wants credentials, refuses them or refuses the tunnel; undefined when no proxy said no. */
function proxyText(
  purpose: string,
  host: string,
  error: unknown,
  code: string | undefined,
): string | undefined {
  const tunnel = error as { statusCode?: unknown; proxy?: unknown; withCredentials?: unknown };
  if (code === 'ERR_PROXY_TUNNEL' && tunnel.statusCode === 407 && tunnel.withCredentials === true) {
    return TEXTS.proxyRefusedCredentials(purpose, String(tunnel.proxy), host);
  }
  if (code === 'ERR_PROXY_TUNNEL' && tunnel.statusCode === 407) {
    return TEXTS.proxyWantsCredentials(purpose, String(tunnel.proxy), host);
  }
  if (code === 'ERR_PROXY_TUNNEL' || code === 'UND_ERR_ABORTED' || /proxy/i.test(errorMessage(error))) {
    return TEXTS.proxyRefusedTunnel(purpose, host, errorMessage(error));
  }
  return undefined;
}

/** The error for a request (`purpose`) to `url` that failed on the network after `attempts` attempts. */
export function networkError(
  purpose: string,
  url: URL,
  error: unknown,
  code: string | undefined,
  attempts: number,
): AcrLoginError {
  const text =
    error instanceof NetworkTimeoutError
      ? timeoutText(purpose, url, error, attempts)
      : (proxyConnectText(purpose, url.host, error, code) ??
        nameOrTrustText(purpose, url.host, code) ??
        proxyText(purpose, url.host, error, code) ??
        TEXTS.unreachable(purpose, url.host, code ?? errorMessage(error)));
  return new AcrLoginError('REGISTRY_UNREACHABLE', text, { cause: error });
}
