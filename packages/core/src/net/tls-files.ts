import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { TransportTls } from './connection.ts';

/**
 * TLS settings kept as files, as Azure Pipelines keeps the agent's (`Agent.CAInfo`, `Agent.ClientCert`,
 * `Agent.ClientCertKey`, `Agent.ClientCertArchive`, the secret `Agent.ClientCertPassword`).
 */
export interface TlsFiles {
  readonly caFile?: string | undefined;
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly certArchiveFile?: string | undefined;
  readonly passphrase?: string | undefined;
}

/**
 * The transport's TLS settings from those files, as the agent's own tasks apply them: the CA (a
 * TLS-inspecting proxy's, usually) is trusted besides the public roots, and the client certificate (an
 * archive before a certificate and key) is presented.
 */
export function tlsFromFiles(files: TlsFiles, read: (path: string) => Buffer = readFileSync): TransportTls {
  const file = (path: string | undefined) => (path ? read(path) : undefined);
  const ca = file(files.caFile);
  const archive = file(files.certArchiveFile);
  const cert = archive === undefined ? file(files.certFile) : undefined;
  const key = archive === undefined ? file(files.keyFile) : undefined;
  return {
    ...(ca === undefined ? {} : { ca: [...rootCertificates, ca.toString('utf8')] }),
    ...(archive === undefined ? {} : { pfx: archive }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(files.passphrase ? { passphrase: files.passphrase } : {}),
  };
}
