import type { ResourceRecord } from '../../store/resources.ts';
import type { CertificateFields } from '../certificates/certificate-fields.ts';
import type { PrivateKeyType } from '../certificates/pem.ts';
import { decryptSecret } from '../secrets/key-encryption.ts';
import type { CommonDoc } from './common.ts';

/** The store kind of TLS certificates (uploaded, and ACME-issued). */
export const tlsCertificateKind = 'tls_certificate';

/** A TLS certificate as stored: the bundle, the encrypted key and the fields parsed from the leaf at upload. */
export interface TlsCertificateDoc extends CommonDoc, CertificateFields {
  /** The bundle as uploaded, leaf first. */
  certificate_pem: string;
  /** The private key PEM, encrypted (key-encryption.ts) with the owning account id as context. */
  private_key_encrypted: string;
  private_key_type: PrivateKeyType;
  /** When the ACME manager issued it; null for uploads. */
  issued_at: string | null;
}

/** The plain private key PEM of a stored certificate (for the data plane's certificate store). */
export function tlsCertificateKey(encryptionKey: Buffer, record: ResourceRecord<TlsCertificateDoc>): string {
  return decryptSecret(encryptionKey, record.doc.private_key_encrypted, record.account_id);
}
