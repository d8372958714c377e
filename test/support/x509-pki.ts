/**
 * Test fixtures for TLS on the public port: CAs, server certificates for uploads and client
 * certificates (valid, or expired) made with @peculiar/x509. For tests only.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import type { Pem } from '../../src/edge/tls/local-ca.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

/** A CA that can issue: its PEMs and its signing key. */
export interface TestCa extends Pem {
  cert: x509.X509Certificate;
  signingKey: CryptoKey;
}

export interface TestCertOptions {
  commonName: string;
  /** SAN DNS names (server certificates). */
  dnsNames?: string[];
  /** `client` adds clientAuth, `server` serverAuth. */
  usage: 'client' | 'server';
  /** Validity window; default from an hour ago for 30 days. */
  notBefore?: Date;
  notAfter?: Date;
}

/** A self-signed root CA named `commonName`. */
export async function makeTestCa(commonName: string): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${commonName}`,
    keys,
    serialNumber: serial(),
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, signingKey: keys.privateKey, certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

/** A leaf issued by `ca`; its key is PKCS#8 PEM. */
export async function issueTestCert(ca: TestCa, options: TestCertOptions): Promise<Pem> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const usage = options.usage === 'client' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([usage]),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
  ];
  if (options.dnsNames?.length)
    extensions.push(
      new x509.SubjectAlternativeNameExtension(options.dnsNames.map((value) => ({ type: 'dns' as const, value }))),
    );
  const cert = await x509.X509CertificateGenerator.create({
    subject: `O=Portico Test, CN=${options.commonName}`,
    issuer: ca.cert.subject,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    serialNumber: serial(),
    notBefore: options.notBefore ?? new Date(Date.now() - 3_600_000),
    notAfter: options.notAfter ?? new Date(Date.now() + 30 * DAY_MS),
    signingAlgorithm: SIGNING,
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function exportKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}
