import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from './x509.ts';

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TlsIdentity {
  readonly key: string;
  readonly cert: string;
}

export interface CertificateAuthority {
  readonly caPem: string;
  /** A server certificate for `host`, signed by the CA; minted once per host. */
  certFor(host: string): Promise<TlsIdentity>;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

export async function exportKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

let serial = 1;
// Go rejects negative serial numbers: keep the leading byte below 0x80.
function nextSerial(): string {
  serial += 1;
  return `01${serial.toString(16).padStart(8, '0')}`;
}

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 7 * 86_400_000) };
}

/** A CA generated for one run; ECDSA P-256 because it is fast to generate and to sign with. */
export async function createCertificateAuthority(): Promise<CertificateAuthority> {
  const caKeys = await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: 'CN=acr-login test CA, O=acr-login',
    ...validity(),
    keys: caKeys,
    signingAlgorithm: ecdsa,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  // One key for every server certificate: only the certificate differs per host.
  const leafKeys = await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']);
  const leafKeyPem = await exportKeyPem(leafKeys.privateKey);
  const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(caCert);
  const cache = new Map<string, Promise<TlsIdentity>>();

  async function mint(host: string): Promise<TlsIdentity> {
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: nextSerial(),
      subject: `CN=${host}`,
      issuer: caCert.subject,
      ...validity(),
      signingKey: caKeys.privateKey,
      publicKey: leafKeys.publicKey,
      signingAlgorithm: ecdsa,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: isIP(host) === 0 ? 'dns' : 'ip', value: host }]),
        authorityKeyId,
      ],
    });
    return { key: leafKeyPem, cert: cert.toString('pem') };
  }

  return {
    caPem: caCert.toString('pem'),
    certFor(host) {
      const key = host.toLowerCase();
      let entry = cache.get(key);
      if (entry === undefined) {
        entry = mint(key);
        cache.set(key, entry);
      }
      return entry;
    },
  };
}
