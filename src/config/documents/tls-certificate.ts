import type { ResourceRecord } from '../../store/resources.ts';
import { certificateFields, type CertificateFields } from '../certificates/certificate-fields.ts';
import { checkBundle, type PrivateKeyType } from '../certificates/pem.ts';
import { decryptSecret, encryptSecret } from '../secrets/key-encryption.ts';
import { commonCreate, type CommonDoc } from './common.ts';

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

/** What a certificate is made from: an upload's fields, or what ACME issued. */
export interface TlsCertificateInput {
  certificate_pem: string;
  private_key_pem: string;
  description?: string;
  metadata?: string;
}

/**
 * Checks a bundle (order, chain, key type, key match) and builds its stored document with the
 * key encrypted for `accountId`. Throws PemError, naming the field, for anything wrong.
 */
export function tlsCertificateDoc(
  encryptionKey: Buffer,
  accountId: string,
  input: TlsCertificateInput,
  issuedAt: string | null = null,
): TlsCertificateDoc {
  const { chain, keyType } = checkBundle(input.certificate_pem, input.private_key_pem);
  return {
    ...commonCreate(input),
    ...certificateFields(chain[0]!),
    certificate_pem: input.certificate_pem.trim() + '\n',
    private_key_encrypted: encryptSecret(encryptionKey, input.private_key_pem, accountId),
    private_key_type: keyType,
    issued_at: issuedAt,
  };
}

/** The plain private key PEM of a stored certificate (for the data plane's certificate store). */
export function tlsCertificateKey(encryptionKey: Buffer, record: ResourceRecord<TlsCertificateDoc>): string {
  return decryptSecret(encryptionKey, record.doc.private_key_encrypted, record.account_id);
}
