import type { CommonDoc } from './common.ts';

/** The store kind of reserved domains; their key is the lower-cased name. */
export const reservedDomainKind = 'reserved_domain';

/** The automatic-certificate policy as stored and read. */
export interface CertificateManagementPolicy {
  /** Only "letsencrypt". */
  authority: string;
  /** "ecdsa" (default) or "rsa". */
  private_key_type: string;
}

/** A reserved domain as stored; the key of its record is `domain`. */
export interface ReservedDomainDoc extends CommonDoc {
  /** Lower case; may be a wildcard `*.example.com`. */
  domain: string;
  region: string;
  /** An uploaded certificate, or the one the ACME manager issued under the policy. */
  certificate_id: string | null;
  certificate_management_policy: CertificateManagementPolicy | null;
  /** Where the name resolves, as ngrok's `resolves_to` entries (`{value: "us"}`, `global`); null when never set. */
  resolves_to?: Array<{ value: string }> | null;
  /** Written by the ACME manager; absent or null until it runs. */
  certificate_management_status?: Record<string, unknown> | null;
}
