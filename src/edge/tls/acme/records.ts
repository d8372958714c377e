/**
 * The ACME manager's store side: when a managed domain's certificate is due, and how an issued
 * certificate becomes a TLS certificate record attached to its reserved domain. Every write goes
 * through store.resources, so the snapshot and SNI layers see it as a change.
 */
import type { ResourceRecord } from '../../../store/resources.ts';
import type { Store } from '../../../store/store.ts';
import { reservedDomainKind, type ReservedDomainDoc } from '../../../config/documents/reserved-domain.ts';
import { tlsCertificateKind, type TlsCertificateDoc } from '../../../config/documents/tls-certificate.ts';
import type { IssuedCertificate } from './issue.ts';
import { renewsAt, type ScheduleOptions } from './schedule.ts';
import { rfc3339 } from '../../../store/timestamps.ts';
import { issuedStatus, readStatus } from './status.ts';

/**
 * Epoch milliseconds when the domain needs an order: now when it has no usable certificate
 * (none, deleted, another name or key type), else its renewal time; never before a failed
 * attempt's `retries_at`.
 */
export async function dueAt(
  store: Store,
  record: ResourceRecord<ReservedDomainDoc>,
  options: ScheduleOptions,
): Promise<number> {
  const { doc } = record;
  let at = Date.now();
  const certificate = doc.certificate_id
    ? await store.resources.get<TlsCertificateDoc>(record.account_id, tlsCertificateKind, doc.certificate_id)
    : undefined;
  if (certificate && fits(certificate.doc, doc)) at = renewsAt(certificate.doc.certificate_pem, options);
  const job = readStatus(doc.certificate_management_status)?.provisioning_job;
  if (job?.error_code && job.retries_at) at = Math.max(at, Date.parse(job.retries_at));
  return at;
}

function fits(certificate: TlsCertificateDoc, domain: ReservedDomainDoc): boolean {
  return (
    certificate.subject_alternative_names.dns_names.includes(domain.domain) &&
    certificate.private_key_type === domain.certificate_management_policy?.private_key_type
  );
}

/**
 * Stores `issued` as a TLS certificate of the domain's account, attaches it, sets the status,
 * and deletes the certificate it replaces (only one the manager issued). When the policy went
 * away during the order, the new certificate is dropped instead.
 */
export async function storeIssued(
  store: Store,
  encryptionKey: Buffer,
  record: ResourceRecord<ReservedDomainDoc>,
  issued: IssuedCertificate,
  options: ScheduleOptions,
): Promise<void> {
  // Loaded with the first certificate issued: it brings the x509 tooling (lean start).
  const { tlsCertificateDoc } = await import('../../../config/documents/tls-certificate-from-pem.ts');
  const accountId = record.account_id;
  const body = {
    description: `issued over ACME for ${record.doc.domain}`,
    certificate_pem: issued.certificatePem,
    private_key_pem: issued.privateKeyPem,
  };
  const created = await store.resources.create(
    accountId,
    tlsCertificateKind,
    'cert',
    tlsCertificateDoc(encryptionKey, accountId, body, rfc3339()),
  );
  const current = await store.resources.get<ReservedDomainDoc>(accountId, reservedDomainKind, record.id);
  if (!current?.doc.certificate_management_policy) {
    await store.resources.delete(accountId, tlsCertificateKind, created.id);
    return;
  }
  const previousId = current.doc.certificate_id;
  const status = issuedStatus(renewsAt(issued.certificatePem, options));
  await store.resources.update(accountId, reservedDomainKind, record.id, {
    ...current.doc,
    certificate_id: created.id,
    certificate_management_status: { ...status },
  });
  if (previousId && previousId !== created.id) await deleteIfIssued(store, accountId, previousId);
}

async function deleteIfIssued(store: Store, accountId: string, id: string): Promise<void> {
  const previous = await store.resources.get<TlsCertificateDoc>(accountId, tlsCertificateKind, id);
  if (!previous?.doc.issued_at) return;
  // Another domain may have been pointed at it by hand; keep it then.
  const users = await store.resources.referencing(accountId, id, id);
  if (users.length === 0) await store.resources.delete(accountId, tlsCertificateKind, id);
}
