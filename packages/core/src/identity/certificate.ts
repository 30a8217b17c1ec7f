import { ERROR_TEXTS } from '../error-texts.ts';
import { AcrLoginError, errorMessage } from '../errors.ts';
import { readFile } from '../fs-async.ts';
import type { CertificateSource } from '../types.ts';
import { input } from '../wording.ts';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY)-----([\s\S]*?)-----END \1-----/;

/**
 * PEM text for a service principal certificate must hold the certificate and its private key (any kind,
 * encrypted or not). Checked when planning for inputs and when reading a file; the message never quotes
 * the text, which holds a private key.
 */
export function checkCertificatePem(pem: string): { readonly encrypted: boolean } {
  const key = KEY_BLOCK.exec(pem);
  const missing = [
    ...(CERTIFICATE_BLOCK.test(pem) ? [] : ['CERTIFICATE block']),
    ...(key === null ? ['PRIVATE KEY block'] : []),
  ];
  if (key === null || missing.length > 0) {
    throw new AcrLoginError('CERTIFICATE_INVALID', ERROR_TEXTS.CERTIFICATE_INVALID.incompletePem(missing), {
      input: 'clientCertificate',
    });
  }
  const encrypted = key[1] === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(key[2] ?? '');
  return { encrypted };
}

/** The one rule for an encrypted key, for PEM text and files alike. */
export function requireKeyPassword(encrypted: boolean, password: string | undefined, where: string): void {
  if (!encrypted || password !== undefined) return;
  throw new AcrLoginError(
    'INPUT_REQUIRED',
    `${where} has an encrypted private key, so ${input('clientCertificatePassword')} is required to decrypt it. Set it, or store the key unencrypted (openssl pkey -in key.pem -out plain.pem).`,
    { input: 'clientCertificatePassword' },
  );
}

/**
 * `client-certificate` is PEM text or a file path. Anything that cannot be a path is a pasted secret in
 * another format: never echo it.
 */
export function certificateSource(value: string, password: string | undefined): CertificateSource {
  if (value.includes('-----BEGIN')) {
    requireKeyPassword(checkCertificatePem(value).encrypted, password, input('clientCertificate'));
    return { kind: 'pem', pem: value };
  }
  if (/[\r\n]/.test(value) || value.length > 1024) {
    throw new AcrLoginError('CERTIFICATE_INVALID', ERROR_TEXTS.CERTIFICATE_INVALID.notPemNorPath, {
      input: 'clientCertificate',
    });
  }
  return { kind: 'path', path: value };
}

/** The PEM text of a certificate source, reading and checking a file when it is one. */
export async function certificatePem(
  source: CertificateSource,
  password: string | undefined,
): Promise<string> {
  if (source.kind === 'pem') return source.pem;
  let pem: string;
  try {
    pem = await readFile(source.path, 'utf8');
  } catch (error) {
    throw new AcrLoginError(
      'CERTIFICATE_INVALID',
      ERROR_TEXTS.CERTIFICATE_INVALID.unreadableFile(
        source.path,
        (error as NodeJS.ErrnoException).code ?? errorMessage(error),
      ),
      { input: 'clientCertificate', cause: error },
    );
  }
  requireKeyPassword(
    checkCertificatePem(pem).encrypted,
    password,
    `${input('clientCertificate')} names "${source.path}", which`,
  );
  return pem;
}
