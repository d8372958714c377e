/** When a certificate renews and how long a failed attempt waits before the next one. */
import { X509Certificate } from 'node:crypto';

const DAY_MS = 86_400_000;

export interface ScheduleOptions {
  /**
   * Renew when less than this many milliseconds of the certificate's life are left. Default:
   * a third of its lifetime, at most 30 days (30 days for Let's Encrypt's 90-day certificates).
   */
  renewBeforeMs?: number;
  /** Milliseconds before the first retry after a failure; doubles each time. Default 30 000. */
  retryBaseMs?: number;
  /** Longest wait between retries in milliseconds. Default 3 600 000 (1 hour). */
  retryMaxMs?: number;
}

/** When the certificate (leaf first) should be replaced, in epoch milliseconds. */
export function renewsAt(certificatePem: string, options: ScheduleOptions = {}): number {
  const leaf = new X509Certificate(certificatePem);
  const notBefore = Date.parse(leaf.validFrom);
  const notAfter = Date.parse(leaf.validTo);
  const before = options.renewBeforeMs ?? Math.min((notAfter - notBefore) / 3, 30 * DAY_MS);
  return notAfter - before;
}

/** Milliseconds to wait after the `failures`-th failure in a row (1 → base, 2 → 2×base, …, capped). */
export function retryDelay(failures: number, options: ScheduleOptions = {}): number {
  const base = options.retryBaseMs ?? 30_000;
  const max = options.retryMaxMs ?? 3_600_000;
  return Math.min(max, base * 2 ** Math.max(0, failures - 1));
}
