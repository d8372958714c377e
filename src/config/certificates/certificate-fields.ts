/**
 * The fields the API reports for a certificate, read from its X.509 structure: subject
 * parts, names, validity, usages, issuer and serial. Names follow ngrok's API (Go's x509).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto, type X509Certificate } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { rfc3339 } from '../../store/timestamps.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** Parsed, read-only fields of a certificate authority (and the start of a certificate's). */
export interface CaFields {
  subject_common_name: string;
  not_before: string;
  not_after: string;
  key_usages: string[];
  extended_key_usages: string[];
}

/** Parsed, read-only fields of a TLS certificate's leaf. */
export interface CertificateFields extends CaFields {
  subject_alternative_names: { dns_names: string[]; ips: string[] };
  issuer_common_name: string;
  /** Lower-case hex without leading zeros, as ngrok prints it. */
  serial_number: string;
  subject_organization: string;
  subject_organizational_unit: string;
  subject_locality: string;
  subject_province: string;
  subject_country: string;
}

const keyUsageNames: Array<[x509.KeyUsageFlags, string]> = [
  [x509.KeyUsageFlags.digitalSignature, 'digital_signature'],
  [x509.KeyUsageFlags.nonRepudiation, 'content_commitment'],
  [x509.KeyUsageFlags.keyEncipherment, 'key_encipherment'],
  [x509.KeyUsageFlags.dataEncipherment, 'data_encipherment'],
  [x509.KeyUsageFlags.keyAgreement, 'key_agreement'],
  [x509.KeyUsageFlags.keyCertSign, 'cert_sign'],
  [x509.KeyUsageFlags.cRLSign, 'crl_sign'],
  [x509.KeyUsageFlags.encipherOnly, 'encipher_only'],
  [x509.KeyUsageFlags.decipherOnly, 'decipher_only'],
];

const extendedKeyUsageNames: Record<string, string> = {
  '2.5.29.37.0': 'any',
  '1.3.6.1.5.5.7.3.1': 'server_auth',
  '1.3.6.1.5.5.7.3.2': 'client_auth',
  '1.3.6.1.5.5.7.3.3': 'code_signing',
  '1.3.6.1.5.5.7.3.4': 'email_protection',
  '1.3.6.1.5.5.7.3.5': 'ipsec_end_system',
  '1.3.6.1.5.5.7.3.6': 'ipsec_tunnel',
  '1.3.6.1.5.5.7.3.7': 'ipsec_user',
  '1.3.6.1.5.5.7.3.8': 'time_stamping',
  '1.3.6.1.5.5.7.3.9': 'ocsp_signing',
};

function first(name: x509.Name, field: string): string {
  return name.getField(field)[0] ?? '';
}

/** The fields of a certificate authority. */
export function caFields(cert: X509Certificate): CaFields {
  const parsed = new x509.X509Certificate(cert.raw);
  const ku = parsed.getExtension(x509.KeyUsagesExtension);
  const eku = parsed.getExtension(x509.ExtendedKeyUsageExtension);
  return {
    subject_common_name: first(parsed.subjectName, 'CN'),
    not_before: rfc3339(parsed.notBefore),
    not_after: rfc3339(parsed.notAfter),
    key_usages: ku ? keyUsageNames.filter(([flag]) => (ku.usages & flag) !== 0).map(([, name]) => name) : [],
    extended_key_usages: eku
      ? Array.from(eku.usages).map((oid) => extendedKeyUsageNames[String(oid)] ?? String(oid))
      : [],
  };
}

/** The fields of a TLS certificate, from its leaf. */
export function certificateFields(leaf: X509Certificate): CertificateFields {
  const parsed = new x509.X509Certificate(leaf.raw);
  const san = parsed.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  const subject = parsed.subjectName;
  return {
    ...caFields(leaf),
    subject_alternative_names: {
      dns_names: names.filter((n) => n.type === 'dns').map((n) => n.value),
      ips: names.filter((n) => n.type === 'ip').map((n) => normalizeIp(n.value)),
    },
    issuer_common_name: first(parsed.issuerName, 'CN'),
    serial_number: leaf.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    subject_organization: first(subject, 'O'),
    subject_organizational_unit: first(subject, 'OU'),
    subject_locality: first(subject, 'L'),
    subject_province: first(subject, 'ST'),
    subject_country: first(subject, 'C'),
  };
}

function normalizeIp(value: string): string {
  try {
    return ipaddr.parse(value).toString();
  } catch {
    return value;
  }
}
