/** One thing `portico trust` did, or did not do and why. */
export interface TrustStep {
  /** What happened to this store. */
  status: 'installed' | 'removed' | 'unchanged' | 'skipped' | 'failed';
  /** The store: `system store`, `NSS store ~/.pki/nssdb (Chrome, Chromium)`, … */
  store: string;
  /** The files and commands involved, or the reason for a skip or failure, and what to do about it. */
  detail: string;
}
