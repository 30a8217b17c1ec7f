import { createHash, randomUUID, webcrypto, X509Certificate } from 'node:crypto';
import { type JWTPayload, type JWTVerifyOptions, jwtVerify, SignJWT } from 'jose';
import { exportKeyPem } from './ca.ts';
import * as x509 from './x509.ts';

/** A key that signs JWTs for one issuer the emulator plays (Entra, ACR, GitHub, ...). */
export interface Signer {
  readonly kid: string;
  sign(claims: JWTPayload, lifetimeSeconds: number): Promise<string>;
  verify(token: string, options?: JWTVerifyOptions): Promise<JWTPayload>;
}

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function signerFor(keys: webcrypto.CryptoKeyPair, kid: string): Signer {
  return {
    kid,
    async sign(claims, lifetimeSeconds) {
      const now = Math.floor(Date.now() / 1000);
      return (
        new SignJWT({ jti: randomUUID(), ...claims })
          .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
          .setIssuedAt(now)
          // Backdated like Entra's tokens, so a second boundary between two clocks never makes a fresh token
          // "not yet valid" (a seeding 401 was seen once under load).
          .setNotBefore(now - 30)
          .setExpirationTime(now + lifetimeSeconds)
          .sign(keys.privateKey)
      );
    },
    async verify(token, options) {
      const { payload } = await jwtVerify(token, keys.publicKey, { algorithms: ['ES256'], ...options });
      return payload;
    },
  };
}

export async function createSigner(kid: string = randomUUID()): Promise<Signer> {
  return signerFor(await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']), kid);
}

/**
 * libtrust key id, which distribution 2.8.2 requires as the token's `kid`: SHA-256 of the DER public
 * key, first 240 bits, base32, in groups of four joined by ':'.
 */
export function libtrustKeyId(spkiDer: Buffer): string {
  const bytes = createHash('sha256').update(spkiDer).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  let base32 = '';
  for (let i = 0; i < bits.length; i += 5) base32 += alphabet[Number.parseInt(bits.slice(i, i + 5), 2)];
  return base32.match(/.{4}/g)?.join(':') ?? base32;
}

/** The key docker-registry trusts: its certificate goes into the registry's `rootcertbundle`. */
export async function createRegistrySigner(): Promise<Signer & { readonly certPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']);
  const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Azure Container Registry token signer',
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 7 * 86_400_000),
    keys,
    signingAlgorithm: ecdsa,
  });
  return { ...signerFor(keys, libtrustKeyId(spki)), certPem: cert.toString('pem') };
}

/** An RSA certificate with its key, as a service principal registers one (MSAL signs with RSA only). */
export async function createClientCertificate(subject: string): Promise<{
  readonly pem: string;
  readonly certPem: string;
  readonly x5t: string;
  readonly x5tS256: string;
}> {
  const rsa = {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  };
  const keys = await webcrypto.subtle.generateKey(rsa, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '02',
    name: `CN=${subject}`,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 7 * 86_400_000),
    keys,
    signingAlgorithm: rsa,
  });
  // @peculiar/x509 ends PEM without a newline; the key follows it in the same file.
  const certPem = `${cert.toString('pem').trimEnd()}\n`;
  const der = new X509Certificate(certPem).raw;
  return {
    pem: `${certPem}${await exportKeyPem(keys.privateKey)}`,
    certPem,
    x5t: createHash('sha1').update(der).digest('base64url'),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
  };
}
