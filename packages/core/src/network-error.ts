import { AcrLoginError, errorMessage } from './errors.ts';
import { NetworkTimeoutError } from './transport.ts';

// What a request that failed on the network becomes: an error that names the host, what happened and the fix.

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
      ? `Check that "${host}" is reachable from this machine (firewall, private endpoint), or set HTTPS_PROXY if it is only reachable through a proxy.`
      : `Check that the proxy ${error.proxy} is up and may reach "${host}", or list "${url.hostname}" in NO_PROXY if it should be reached direct.`;
  return `The ${purpose} timed out: ${error.message}${tries}. ${fix}`;
}

/** A name that does not resolve, or a certificate not trusted here; undefined for any other failure. */
function nameOrTrustText(purpose: string, host: string, code: string | undefined): string | undefined {
  if (code === 'ENOTFOUND' || code === 'EAI_NONAME') {
    return `The ${purpose} failed: the host "${host}" does not resolve. Check the name for typos; for a registry with a private endpoint, run on a runner or agent inside that network.`;
  }
  if (code !== undefined && TLS_TRUST.has(code)) {
    return `The ${purpose} failed: the TLS certificate "${host}" presented is not trusted here (${code}). Behind a TLS-inspecting proxy, trust the proxy's CA: NODE_EXTRA_CA_CERTS on a runner, the agent's certificate settings (Agent.CAInfo) on Azure Pipelines.`;
  }
  return undefined;
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
    return `The ${purpose} failed: the proxy ${String(tunnel.proxy)} refused the credentials it was given for "${host}" (HTTP 407). Check the proxy user name and password: in the proxy URL (http://user:password@proxy:port, with @ : / and % percent-encoded), or in the agent's proxy settings on Azure Pipelines.`;
  }
  if (code === 'ERR_PROXY_TUNNEL' && tunnel.statusCode === 407) {
    return `The ${purpose} failed: the proxy ${String(tunnel.proxy)} wants credentials for "${host}" (HTTP 407). Put them in the proxy URL (http://user:password@proxy:port in HTTPS_PROXY), or in the agent's proxy settings on Azure Pipelines.`;
  }
  if (code === 'ERR_PROXY_TUNNEL' || code === 'UND_ERR_ABORTED' || /proxy/i.test(errorMessage(error))) {
    return `The ${purpose} failed: the proxy refused the connection to "${host}" (${errorMessage(error)}). Check the host name and the proxy's allow list.`;
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
      : (nameOrTrustText(purpose, url.host, code) ??
        proxyText(purpose, url.host, error, code) ??
        `The ${purpose} failed: could not reach "${url.host}" (${code ?? errorMessage(error)}). Check the network path from this machine: firewalls, private endpoints and proxy settings (HTTPS_PROXY, NO_PROXY).`);
  return new AcrLoginError('REGISTRY_UNREACHABLE', text, { cause: error });
}
