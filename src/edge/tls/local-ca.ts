/**
 * The edge's local certificate authority: an ECDSA P-256 root kept in the data directory,
 * and leaf certificates it issues for the edge's listeners.
 */
import type * as X509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import { onFirstUse } from '../../packages/on-first-use.ts';
import { readPemPair, writePemPair } from './pem-files.ts';

type X509Lib = typeof X509;
/** The certificate tooling, loaded when something is first signed rather than at start (issue 13). */
const x509Library = onFirstUse(async () => {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}, 'X509CertificateGenerator');
let library: Promise<X509Lib> | undefined;
function peculiar(): Promise<X509Lib> {
  return (library ??= x509Library().then((x509) => {
    x509.cryptoProvider.set(webcrypto as unknown as Crypto);
    return x509;
  }));
}

/** A certificate (leaf first when it is a chain) and its PKCS#8 private key, both PEM. */
export interface Pem {
  certPem: string;
  keyPem: string;
}

/** Subject common name of the local CA. */
export const LOCAL_CA_NAME = 'Portico Local CA';
/** Years the local CA stays valid. */
const CA_YEARS = 10;
/** Default lifetime of an issued leaf in days: the CA/Browser Forum maximum. */
const LEAF_DAYS = 397;
/** How far notBefore is set in the past, in milliseconds, to absorb clock skew. */
const BACKDATE_MS = 60_000;
const DAY_MS = 86_400_000;
const EC: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/** Reads `<dir>/ca.pem` and `<dir>/ca-key.pem`, or creates and writes a new CA there. */
export async function loadOrCreateLocalCa(dir: string): Promise<Pem> {
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca-key.pem');
  const existing = await readPemPair(certPath, keyPath);
  if (existing) return checkCa(existing, certPath);
  // Half a CA is a mistake to report, not to paper over: agents may already trust the old one.
  if (await anyExists(certPath, keyPath))
    throw new PorticoError(ErrorCode.ERR_TLS_CA_INVALID, `${certPath} or ${keyPath} is missing`);
  const ca = await createCa();
  await writePemPair(certPath, keyPath, ca);
  return ca;
}

async function createCa(): Promise<Pem> {
  const x509 = await peculiar();
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
  return { certPem: cert.toString('pem'), keyPem: await exportKey(x509, keys.privateKey) };
}

async function anyExists(...paths: string[]): Promise<boolean> {
  const found = await Promise.all(
    paths.map((p) =>
      access(p).then(
        () => true,
        () => false,
      ),
    ),
  );
  return found.includes(true);
}

function checkCa(ca: Pem, certPath: string): Pem {
  try {
    const cert = new X509Certificate(ca.certPem);
    if (!cert.ca || !cert.checkPrivateKey(createPrivateKey(ca.keyPem))) throw new Error('not a CA with this key');
    return ca;
  } catch (err) {
    throw new PorticoError(ErrorCode.ERR_TLS_CA_INVALID, certPath, { cause: err });
  }
}

/** Names a leaf certificate is valid for. */
export interface LeafNames {
  dnsNames: string[];
  ipAddresses?: string[];
}

export interface LeafOptions {
  /** Days the certificate stays valid. Default 397. */
  days?: number;
  /** Subject common name. Default: the first DNS name, else the first IP address. */
  commonName?: string;
}

/**
 * Issues a server certificate signed by `ca`: ECDSA P-256, CA:FALSE, serverAuth, every name
 * in the SAN, valid from a minute ago. The key is returned as PKCS#8 PEM.
 */
export async function issueLeafCertificate(ca: Pem, names: LeafNames, options: LeafOptions = {}): Promise<Pem> {
  const x509 = await peculiar();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importSigningKey(ca.keyPem);
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    subject: subjectName(names, options.commonName),
    issuer: caCert.subject,
    publicKey: keys.publicKey,
    signingKey: caKey,
    serialNumber: randomSerial(),
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + (options.days ?? LEAF_DAYS) * DAY_MS),
    signingAlgorithm: SIGNING,
    extensions: await leafExtensions(x509, caCert, keys.publicKey, names),
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKey(x509, keys.privateKey) };
}

async function leafExtensions(
  x509: X509Lib,
  caCert: X509.X509Certificate,
  publicKey: CryptoKey,
  names: LeafNames,
): Promise<X509.Extension[]> {
  const san = [
    ...names.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...(names.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const usages = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(san),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    await authorityKeyId(x509, caCert),
  ];
}

// Reuse the CA's own subject key identifier so the two always match, whatever method made it.
async function authorityKeyId(
  x509: X509Lib,
  caCert: X509.X509Certificate,
): Promise<X509.AuthorityKeyIdentifierExtension> {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey);
}

function subjectName(names: LeafNames, commonName: string | undefined): string {
  const cn = commonName ?? names.dnsNames[0] ?? names.ipAddresses?.[0];
  if (!cn) throw new PorticoError(ErrorCode.ERR_HOSTNAME_INVALID, 'a certificate needs at least one name');
  // Escape the characters RFC 4514 treats specially; wildcard '*' needs none.
  return `CN=${cn.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`)}`;
}

/** 16 random bytes as hex with the top bit clear, so the serial is a positive integer. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function exportKey(x509: X509Lib, key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

// Going through createPrivateKey accepts SEC1 ("EC PRIVATE KEY") as well as PKCS#8 files.
async function importSigningKey(keyPem: string): Promise<CryptoKey> {
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, EC, false, ['sign']);
}
