/**
 * PEM parsing and checking for uploaded certificates and keys. node:crypto does every check
 * (chain signatures, key match); the PEM labels say the container and whether it is encrypted.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { ErrorCode } from '../../errors/catalogue.ts';

/** One `-----BEGIN <label>-----` block: its label, RFC 1421 headers and the whole block text. */
export interface PemBlock {
  label: string;
  headers: Record<string, string>;
  text: string;
}

/** Why a certificate or key was refused: a stable code and a message naming what to fix. */
export class PemError extends Error {
  constructor(
    readonly code: PemErrorCode,
    readonly field: 'certificate_pem' | 'private_key_pem' | 'ca_pem',
    message: string,
  ) {
    super(message);
    this.name = 'PemError';
  }
}

/** The catalogue's codes for certificates and keys (`ERR_CERT_…`). */
export type PemErrorCode = Extract<ErrorCode, `ERR_CERT_${string}`>;

/** Key types a certificate may carry, as the API names them. */
export type PrivateKeyType = 'rsa' | 'ecdsa' | 'ed25519';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Every PEM block in `text`, in order; text outside blocks is ignored (bundles often carry comments). */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const headers: Record<string, string> = {};
    for (const line of m[2]!.split(/\r?\n/)) {
      const h = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (h) headers[h[1]!.toLowerCase()] = h[2]!.trim();
    }
    blocks.push({ label: m[1]!, headers, text: m[0] });
  }
  return blocks;
}

/**
 * Parses a bundle of certificates, leaf first. Refuses text without certificates, blocks that
 * are not certificates, and certificates that do not parse.
 */
export function parseCertificates(
  pem: string,
  field: 'certificate_pem' | 'ca_pem' = 'certificate_pem',
): X509Certificate[] {
  const blocks = pemBlocks(pem);
  if (blocks.length === 0) {
    throw new PemError(
      ErrorCode.ERR_CERT_PEM_INVALID,
      field,
      'contains no PEM certificate; paste the text from "-----BEGIN CERTIFICATE-----" to "-----END CERTIFICATE-----"',
    );
  }
  return blocks.map((block, i) => {
    if (block.label !== 'CERTIFICATE') {
      const hint = /PRIVATE KEY/.test(block.label)
        ? '; send the private key in private_key_pem, never in the certificate bundle'
        : '';
      throw new PemError(
        ErrorCode.ERR_CERT_PEM_INVALID,
        field,
        `block ${i} is "${block.label}", not "CERTIFICATE"${hint}`,
      );
    }
    try {
      return new X509Certificate(block.text);
    } catch {
      throw new PemError(
        ErrorCode.ERR_CERT_PEM_INVALID,
        field,
        `certificate ${i} is not a valid X.509 certificate (damaged base64 or DER)`,
      );
    }
  });
}

/**
 * Checks that each certificate is issued and signed by the next one, and that every issuer is
 * a CA. Tells apart a misordered bundle (the issuer is elsewhere in it) from a missing
 * intermediate (it is not there at all).
 */
export function checkChainOrder(chain: X509Certificate[]): void {
  for (let i = 0; i + 1 < chain.length; i++) {
    const cert = chain[i]!;
    if (issuedBy(cert, chain[i + 1]!)) {
      if (!chain[i + 1]!.ca)
        throw new PemError(
          ErrorCode.ERR_CERT_CHAIN_ORDER,
          'certificate_pem',
          `certificate ${i + 1} (${commonName(chain[i + 1]!)}) signs certificate ${i} but is not a CA certificate`,
        );
      continue;
    }
    if (issuedBy(chain[i + 1]!, cert)) {
      throw new PemError(
        ErrorCode.ERR_CERT_CHAIN_ORDER,
        'certificate_pem',
        `certificate ${i + 1} is issued by certificate ${i}: the bundle is in reverse order; put the leaf first, then each issuer after the certificate it signed`,
      );
    }
    const at = chain.findIndex((other, j) => j !== i && issuedBy(cert, other));
    if (at >= 0) {
      throw new PemError(
        ErrorCode.ERR_CERT_CHAIN_ORDER,
        'certificate_pem',
        `certificate ${i} (${commonName(cert)}) is issued by certificate ${at}, not by the next one (${i + 1}); order the bundle leaf first, then each issuer after the certificate it signed`,
      );
    }
    throw new PemError(
      ErrorCode.ERR_CERT_CHAIN_INCOMPLETE,
      'certificate_pem',
      `certificate ${i + 1} (${commonName(chain[i + 1]!)}) did not issue certificate ${i} (${commonName(cert)}, issuer "${oneLine(cert.issuer)}"); add the missing intermediate between them`,
    );
  }
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Loads an unencrypted private key (PKCS#1 "RSA PRIVATE KEY", SEC 1 "EC PRIVATE KEY" or PKCS#8
 * "PRIVATE KEY"). Encrypted keys are refused with how to decrypt them.
 */
export function parsePrivateKey(pem: string): { key: KeyObject; type: PrivateKeyType } {
  const blocks = pemBlocks(pem).filter((b) => /PRIVATE KEY$/.test(b.label));
  if (blocks.length !== 1) {
    const what =
      blocks.length === 0
        ? 'contains no PEM private key ("-----BEGIN PRIVATE KEY-----")'
        : `contains ${blocks.length} private keys; send only the leaf certificate's key`;
    throw new PemError(ErrorCode.ERR_CERT_KEY_INVALID, 'private_key_pem', what);
  }
  const block = blocks[0]!;
  if (block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/i.test(block.headers['proc-type'] ?? '')) {
    throw new PemError(
      ErrorCode.ERR_CERT_KEY_ENCRYPTED,
      'private_key_pem',
      'the private key is encrypted with a passphrase; decrypt it first (openssl pkey -in key.pem -out plain.pem) and upload the plain key',
    );
  }
  if (!['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'].includes(block.label)) {
    throw new PemError(
      ErrorCode.ERR_CERT_KEY_UNSUPPORTED,
      'private_key_pem',
      `"${block.label}" keys are not supported; use RSA, ECDSA or Ed25519 (PKCS#1, SEC 1 or PKCS#8)`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(block.text);
  } catch {
    throw new PemError(
      ErrorCode.ERR_CERT_KEY_INVALID,
      'private_key_pem',
      `the "${block.label}" block is not a valid private key (damaged base64 or DER)`,
    );
  }
  return { key, type: keyType(key) };
}

function keyType(key: KeyObject): PrivateKeyType {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'rsa';
    case 'ec':
      return 'ecdsa';
    case 'ed25519':
      return 'ed25519';
    default:
      throw new PemError(
        ErrorCode.ERR_CERT_KEY_UNSUPPORTED,
        'private_key_pem',
        `${key.asymmetricKeyType ?? 'this'} keys are not supported; use RSA, ECDSA or Ed25519`,
      );
  }
}

/** A checked upload: the parsed chain (leaf first) and the key's type. */
export interface CheckedBundle {
  chain: X509Certificate[];
  keyType: PrivateKeyType;
}

/** Parses and checks a certificate bundle and its private key (order, chain, key match). */
export function checkBundle(certificatePem: string, privateKeyPem: string): CheckedBundle {
  const chain = parseCertificates(certificatePem);
  checkChainOrder(chain);
  const { key, type } = parsePrivateKey(privateKeyPem);
  if (!chain[0]!.checkPrivateKey(key)) {
    throw new PemError(
      ErrorCode.ERR_CERT_KEY_MISMATCH,
      'private_key_pem',
      `the private key does not belong to the leaf certificate (certificate 0, ${commonName(chain[0]!)}); send the key the leaf was issued for, and put the leaf first`,
    );
  }
  return { chain, keyType: type };
}

/** Parses a CA bundle: one or more certificates, each a CA. */
export function checkCaBundle(caPem: string): X509Certificate[] {
  const certs = parseCertificates(caPem, 'ca_pem');
  certs.forEach((cert, i) => {
    if (!cert.ca)
      throw new PemError(
        ErrorCode.ERR_CERT_NOT_CA,
        'ca_pem',
        `certificate ${i} (${commonName(cert)}) is not a CA certificate (basicConstraints CA:TRUE is missing)`,
      );
  });
  return certs;
}

function commonName(cert: X509Certificate): string {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
  return cn ? `CN=${cn}` : `subject "${oneLine(cert.subject)}"`;
}

function oneLine(name: string): string {
  return name.split('\n').join(', ');
}
