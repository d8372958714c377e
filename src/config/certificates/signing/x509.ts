/**
 * The certificates Portico makes, with @peculiar/x509: the local CA, the leaves it issues and the
 * self-signed RSA certificate of a SAML module's request-signing key. Only the signing process
 * (child.ts) imports this file, so the edge never holds the certificate tooling (signer.ts).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import type { Pem } from './tasks.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** Subject common name of the local CA. */
const LOCAL_CA_NAME = 'Portico Local CA';
/** Years the local CA stays valid. */
const CA_YEARS = 10;
/** How far notBefore is set in the past, in milliseconds, to absorb clock skew. */
const BACKDATE_MS = 60_000;
const DAY_MS = 86_400_000;
const EC: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const RSA: RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

/** A new local CA: ECDSA P-256, CA:TRUE, keyCertSign and cRLSign, valid ten years. */
export async function createCa(): Promise<Pem> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${LOCAL_CA_NAME}`,
    keys,
    serialNumber: randomSerial(),
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_YEARS * 365 * DAY_MS),
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

/** What a leaf is issued for: its subject, names and lifetime, already checked by the edge. */
export interface Leaf {
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  days: number;
}

/** A server certificate signed by `ca`: ECDSA P-256, CA:FALSE, serverAuth, every name in the SAN. */
export async function issueLeaf(ca: Pem, leaf: Leaf): Promise<Pem> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importSigningKey(ca.keyPem);
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${leaf.commonName.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`)}`,
    issuer: caCert.subject,
    publicKey: keys.publicKey,
    signingKey: caKey,
    serialNumber: randomSerial(),
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + leaf.days * DAY_MS),
    signingAlgorithm: SIGNING,
    extensions: await leafExtensions(caCert, keys.publicKey, leaf),
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

async function leafExtensions(
  caCert: x509.X509Certificate,
  publicKey: CryptoKey,
  leaf: Leaf,
): Promise<x509.Extension[]> {
  const san = [
    ...leaf.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...leaf.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  const usages = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(san),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    await authorityKeyId(caCert),
  ];
}

// Reuse the CA's own subject key identifier so the two always match, whatever method made it.
async function authorityKeyId(caCert: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey);
}

/**
 * A SAML module's request-signing key: RSA 2048 with a self-signed certificate (SHA-256, valid
 * 10 years) named `commonName`, the key as PKCS#8 PEM.
 */
export async function createSamlSigningKey(commonName: string): Promise<Pem> {
  const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${commonName.replace(/[,+="<>#;\\]/g, '_') || 'Portico SAML SP'}`,
    keys,
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 10 * 365 * DAY_MS),
    signingAlgorithm: RSA,
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

/** 16 random bytes as hex with the top bit clear, so the serial is a positive integer. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

// Going through createPrivateKey accepts SEC1 ("EC PRIVATE KEY") as well as PKCS#8 files.
async function importSigningKey(keyPem: string): Promise<CryptoKey> {
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, EC, false, ['sign']);
}
