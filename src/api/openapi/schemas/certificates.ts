/** Certificate authorities (for mutual TLS) and TLS certificates (for reserved domains). */
import type { ResourceDoc } from '../resource-doc.ts';
import { list, nullable, object, ref, str } from './builders.ts';
import { pageOf, stored } from './common.ts';

export const certificateDocs: ResourceDoc[] = [
  {
    path: '/certificate_authorities',
    tag: 'CertificateAuthorities',
    operation: 'CertificateAuthorities',
    name: 'CertificateAuthority',
    schema: stored({
      ca_pem: str,
      subject_common_name: str,
      not_before: str,
      not_after: str,
      key_usages: list(str),
      extended_key_usages: list(str),
    }),
    list: pageOf('certificate_authorities', 'CertificateAuthority'),
  },
  {
    path: '/tls_certificates',
    tag: 'TLSCertificates',
    operation: 'TlsCertificates',
    name: 'TLSCertificate',
    schema: stored({
      certificate_pem: str,
      subject_common_name: str,
      subject_alternative_names: ref('TLSCertificateSANs'),
      issued_at: nullable(str),
      not_before: str,
      not_after: str,
      key_usages: list(str),
      extended_key_usages: list(str),
      private_key_type: str,
      issuer_common_name: str,
      serial_number: str,
      subject_organization: str,
      subject_organizational_unit: str,
      subject_locality: str,
      subject_province: str,
      subject_country: str,
    }),
    parts: { TLSCertificateSANs: object({ dns_names: list(str), ips: list(str) }) },
    list: pageOf('tls_certificates', 'TLSCertificate'),
  },
];
