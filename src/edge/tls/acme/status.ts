/**
 * `certificate_management_status` of a reserved domain, as the ACME manager writes it and the
 * API returns it (ngrok's shape): when the certificate renews, and the running or failed job.
 */

import { rfc3339 } from '../../../store/timestamps.ts';

/** The provisioning job: running (no error_code) or failed (error_code, msg, retries_at). */
export interface ProvisioningJob {
  /** A stable ERR_ACME_… code when the last attempt failed; null while it runs. */
  error_code: string | null;
  /** What is happening or what went wrong, for a person. */
  msg: string;
  /** RFC 3339 UTC: when the attempt started. */
  started_at: string;
  /** RFC 3339 UTC: when the next attempt starts; null while running, or when no retry is planned. */
  retries_at: string | null;
}

export interface CertificateManagementStatus {
  /** RFC 3339 UTC: when the current certificate is renewed; null until one is issued. */
  renews_at: string | null;
  provisioning_job: ProvisioningJob | null;
}

/** Status while an attempt runs: the previous renews_at stays visible. */
export function runningStatus(
  previous: CertificateManagementStatus | null | undefined,
  startedAt: number,
): CertificateManagementStatus {
  return {
    renews_at: previous?.renews_at ?? null,
    provisioning_job: {
      error_code: null,
      msg: 'provisioning a certificate from the ACME server',
      started_at: rfc3339(startedAt),
      retries_at: null,
    },
  };
}

/** Status after a certificate was issued. */
export function issuedStatus(renewsAt: number): CertificateManagementStatus {
  return { renews_at: rfc3339(renewsAt), provisioning_job: null };
}

/** Status after an attempt failed; `retriesAt` null means it is not retried on its own. */
export function failedStatus(
  previous: CertificateManagementStatus | null | undefined,
  failure: { code: string; msg: string },
  startedAt: number,
  retriesAt: number | null,
): CertificateManagementStatus {
  return {
    renews_at: previous?.renews_at ?? null,
    provisioning_job: {
      error_code: failure.code,
      msg: failure.msg,
      started_at: rfc3339(startedAt),
      retries_at: retriesAt === null ? null : rfc3339(retriesAt),
    },
  };
}

/** The stored status of a doc, if it has the expected shape. */
export function readStatus(value: unknown): CertificateManagementStatus | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<CertificateManagementStatus>;
  return {
    renews_at: typeof v.renews_at === 'string' ? v.renews_at : null,
    provisioning_job: v.provisioning_job ?? null,
  };
}
