/** A reserved domain's certificate: an uploaded one (`certificate_id`) or an automatic one (policy). */
import type { Store } from '../../../store/store.ts';
import { ApiError, badReference, invalid } from '../../errors.ts';
import { tlsCertificateKind } from '../tls-certificates/tls-certificates.ts';

export type { CertificateManagementPolicy } from '../../../config/documents/reserved-domain.ts';
import type { CertificateManagementPolicy } from '../../../config/documents/reserved-domain.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';

/** The policy as a client may send it (fields optional). */
export interface CertificateManagementPolicyInput {
  authority?: string | null;
  private_key_type?: string | null;
}

/** Fills defaults and checks the authority (ERR_NGROK_435) and key type. */
export function normalizePolicy(input: CertificateManagementPolicyInput): CertificateManagementPolicy {
  const authority = (input.authority || 'letsencrypt').toLowerCase();
  if (authority !== 'letsencrypt') {
    throw invalid(
      ErrorCode.ERR_NGROK_435,
      'certificate_management_policy.authority',
      `"${input.authority}" is not supported; the only authority is "letsencrypt"`,
    );
  }
  const keyType = (input.private_key_type || 'ecdsa').toLowerCase();
  if (keyType !== 'ecdsa' && keyType !== 'rsa') {
    throw invalid(
      ErrorCode.ERR_NGROK_215,
      'certificate_management_policy.private_key_type',
      `"${input.private_key_type}" is not supported; use "ecdsa" or "rsa"`,
    );
  }
  return { authority, private_key_type: keyType };
}

/** Refuses a body that sets both certificate_id and certificate_management_policy. */
export function checkExclusive(certificateId: string | null | undefined, policy: unknown): void {
  if (certificateId && policy) {
    throw new ApiError(
      ErrorCode.ERR_NGROK_434,
      'certificate_id and certificate_management_policy are exclusive: upload a certificate or let the edge manage one, not both',
      {
        field: 'certificate_id',
      },
    );
  }
}

/** Checks that `id` is one of the account's TLS certificates. */
export async function checkCertificate(store: Store, accountId: string, id: string): Promise<string> {
  if (!(await store.resources.get(accountId, tlsCertificateKind, id)))
    throw badReference(ErrorCode.ERR_CERTIFICATE_NOT_FOUND, 'certificate_id', id);
  return id;
}
