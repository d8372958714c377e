/**
 * The edge's local certificate authority: an ECDSA P-256 root kept in the data directory,
 * and leaf certificates it issues for the edge's listeners. The certificates themselves are made
 * in a child process (config/certificates/signing/), so the edge never loads the certificate tooling.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import { readPemPair, writePemPair } from './pem-files.ts';
import { sign } from '../../config/certificates/signing/signer.ts';
import type { Pem } from '../../config/certificates/signing/tasks.ts';

export type { Pem } from '../../config/certificates/signing/tasks.ts';

/** Default lifetime of an issued leaf in days: the CA/Browser Forum maximum. */
const LEAF_DAYS = 397;

/** Reads `<dir>/ca.pem` and `<dir>/ca-key.pem`, or creates and writes a new CA there. */
export async function loadOrCreateLocalCa(dir: string): Promise<Pem> {
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca-key.pem');
  const existing = await readPemPair(certPath, keyPath);
  if (existing) return checkCa(existing, certPath);
  // Half a CA is a mistake to report, not to paper over: agents may already trust the old one.
  if (await anyExists(certPath, keyPath))
    throw new PorticoError(ErrorCode.ERR_TLS_CA_INVALID, `${certPath} or ${keyPath} is missing`);
  const ca = await sign({ kind: 'local-ca' });
  await writePemPair(certPath, keyPath, ca);
  return ca;
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
 * in the SAN, valid from a minute ago. The key is returned as PKCS#8 PEM. It is made in the
 * signing process (config/certificates/signing/).
 */
export async function issueLeafCertificate(ca: Pem, names: LeafNames, options: LeafOptions = {}): Promise<Pem> {
  const leaf = {
    commonName: commonNameOf(names, options.commonName),
    dnsNames: names.dnsNames,
    ipAddresses: names.ipAddresses ?? [],
    days: options.days ?? LEAF_DAYS,
  };
  return sign({ kind: 'leaf', ca, leaf });
}

function commonNameOf(names: LeafNames, commonName: string | undefined): string {
  const cn = commonName ?? names.dnsNames[0] ?? names.ipAddresses?.[0];
  if (!cn) throw new PorticoError(ErrorCode.ERR_HOSTNAME_INVALID, 'a certificate needs at least one name');
  return cn;
}
