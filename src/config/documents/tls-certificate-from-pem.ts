/**
 * A TLS certificate's stored document made from PEM (an upload, or what ACME issued). Apart
 * from tls-certificate.ts because parsing the certificate's fields needs the x509 tooling,
 * which the data plane does not load at start.
 */
import { certificateFields } from '../certificates/certificate-fields.ts';
import { checkBundle } from '../certificates/pem.ts';
import { encryptSecret } from '../secrets/key-encryption.ts';
import { commonCreate } from './common.ts';
import type { TlsCertificateDoc } from './tls-certificate.ts';

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
