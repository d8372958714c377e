/**
 * The ACME manager: for every reserved domain with a `certificate_management_policy` it keeps
 * a certificate issued by the configured ACME CA, stored as a TLS certificate and attached
 * with `certificate_id`; it renews before expiry, retries failures with exponential backoff,
 * reports progress in `certificate_management_status`, and follows policy changes live.
 */
import { join } from 'node:path';
import type * as acme from 'acme-client';
import type { Logger } from '../../../log/logger.ts';
import { ErrorCode, isPorticoError } from '../../../errors/catalogue.ts';
import { ACCOUNT_KIND, type StoreChange } from '../../../store/changes.ts';
import type { ResourceRecord } from '../../../store/resources.ts';
import type { Store } from '../../../store/store.ts';
import { reservedDomainKind, type ReservedDomainDoc } from '../../../config/documents/reserved-domain.ts';
import type { AcmeChallenges } from './challenges.ts';
import type { AcmeConfig } from './config.ts';
import { dueAt, storeIssued } from './records.ts';
import { retryDelay } from './schedule.ts';
import { failedStatus, readStatus, runningStatus, type CertificateManagementStatus } from './status.ts';

/** setTimeout's longest delay; later deadlines are re-checked when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Milliseconds stop() waits for orders in flight. */
const STOP_GRACE_MS = 2_000;

export interface AcmeManagerOptions {
  store: Store;
  /** Encrypts issued private keys at rest (key-encryption.ts). */
  encryptionKey: Buffer;
  /** The account key lives at `<dataDir>/acme/account-key.pem`. */
  dataDir: string;
  config: AcmeConfig;
  challenges: AcmeChallenges;
  /** Told how each order ended (the edge's metrics count them). */
  onOrder?: (result: 'issued' | 'failed') => void;
  logger: Logger;
}

interface DomainState {
  accountId: string;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  /** Failures in a row, for the backoff. */
  failures: number;
}

/** What an order needs, loaded on first use. */
interface AcmeParts {
  client: acme.Client;
  issueCertificate: typeof import('./issue.ts').issueCertificate;
}

export class AcmeManager {
  readonly #options: AcmeManagerOptions;
  readonly #domains = new Map<string, DomainState>();
  #loaded: Promise<AcmeParts> | undefined;
  #stopped = false;
  readonly #onChange = (change: StoreChange) => {
    if (change.kind === reservedDomainKind) void this.#reconcile(change.accountId, change.id);
    // A deleted account's domains went with it.
    if (change.kind === ACCOUNT_KIND)
      for (const [id, state] of this.#domains) if (state.accountId === change.id) void this.#reconcile(change.id, id);
  };

  constructor(options: AcmeManagerOptions) {
    this.#options = options;
  }

  /** Domains whose certificate this manager keeps, and how many of them failed their last order. */
  domains(): { managed: number; failing: number } {
    let failing = 0;
    for (const state of this.#domains.values()) if (state.failures > 0) failing++;
    return { managed: this.#domains.size, failing };
  }

  /** Plans every managed domain and follows changes. */
  async start(): Promise<void> {
    const { store } = this.#options;
    store.changes.on('change', this.#onChange);
    const domains = await store.resources.all<ReservedDomainDoc>(reservedDomainKind);
    for (const record of domains)
      if (record.doc.certificate_management_policy) void this.#reconcile(record.account_id, record.id);
  }

  /**
   * The ACME client and account key, made on the first order: acme-client (and its HTTP and
   * crypto dependencies, ~18 MiB) is only loaded by edges that manage certificates.
   */
  #acme(): Promise<AcmeParts> {
    this.#loaded ??= (async () => {
      const { config, dataDir } = this.#options;
      const account = await import('./account.ts');
      const { issueCertificate } = await import('./issue.ts');
      if (config.caCertPem) account.trustAcmeServer(config.caCertPem);
      const accountKey = await account.loadOrCreateAccountKey(join(dataDir, 'acme', 'account-key.pem'));
      return { client: account.createAcmeClient({ directoryUrl: config.directoryUrl, accountKey }), issueCertificate };
    })().catch((err: unknown) => {
      // Not cached: the next attempt tries again (a data dir that was not writable, say).
      this.#loaded = undefined;
      throw err;
    });
    return this.#loaded;
  }

  /** Stops planning and waits briefly for orders in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#options.store.changes.off('change', this.#onChange);
    const running = [...this.#domains.values()].flatMap((s) => (clearTimeout(s.timer), s.running ? [s.running] : []));
    this.#domains.clear();
    await Promise.race([Promise.allSettled(running), new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
  }

  // Decides what a domain needs now: nothing, a failure status (wildcards), or a timer.
  async #reconcile(accountId: string, id: string): Promise<void> {
    try {
      if (this.#stopped) return;
      const record = await this.#options.store.resources.get<ReservedDomainDoc>(accountId, reservedDomainKind, id);
      if (!record?.doc.certificate_management_policy) return this.#forget(id);
      const state = this.#domains.get(id) ?? { accountId, failures: 0 };
      this.#domains.set(id, state);
      if (state.running) return; // it re-plans when it finishes
      clearTimeout(state.timer);
      if (record.doc.domain.startsWith('*.')) return await this.#refuseWildcard(record);
      this.#schedule(state, id, await dueAt(this.#options.store, record, this.#options.config));
    } catch (err) {
      this.#options.logger.warn('ACME: could not plan a certificate', { err, id });
    }
  }

  #schedule(state: DomainState, id: string, at: number): void {
    const delay = Math.max(0, at - Date.now());
    // Two plans may race (changes arrive back to back): the later one wins, one timer only.
    clearTimeout(state.timer);
    state.timer = setTimeout(
      () => {
        if (delay > MAX_TIMER_MS) return void this.#reconcile(state.accountId, id);
        if (state.running || this.#stopped) return;
        const run = this.#run(state, id).catch((err: unknown) =>
          this.#options.logger.warn('ACME: certificate attempt aborted', { err, id }),
        );
        state.running = run.finally(() => {
          state.running = undefined;
          void this.#reconcile(state.accountId, id);
        });
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    state.timer.unref();
  }

  #forget(id: string): void {
    const state = this.#domains.get(id);
    if (!state) return;
    clearTimeout(state.timer);
    if (!state.running) this.#domains.delete(id);
  }

  async #refuseWildcard(record: ResourceRecord<ReservedDomainDoc>): Promise<void> {
    const status = readStatus(record.doc.certificate_management_status);
    if (status?.provisioning_job?.error_code === ErrorCode.ERR_ACME_WILDCARD_NEEDS_DNS) return;
    const msg = `${record.doc.domain}: wildcard certificates need the DNS-01 challenge, which this edge does not answer; upload a certificate for the wildcard and attach it with certificate_id`;
    await this.#writeStatus(record.account_id, record.id, (prev) =>
      failedStatus(prev, { code: ErrorCode.ERR_ACME_WILDCARD_NEEDS_DNS, msg }, Date.now(), null),
    );
  }

  // One attempt: mark running, order, store and attach; or record the failure and its retry time.
  async #run(state: DomainState, id: string): Promise<void> {
    const { store, config, challenges, logger } = this.#options;
    const startedAt = Date.now();
    const record = await store.resources.get<ReservedDomainDoc>(state.accountId, reservedDomainKind, id);
    const policy = record?.doc.certificate_management_policy;
    if (!record || !policy || this.#stopped) return;
    const domain = record.doc.domain;
    await this.#writeStatus(state.accountId, id, (prev) => runningStatus(prev, startedAt));
    try {
      logger.info('ACME: ordering a certificate', { domain, directory: config.directoryUrl });
      const { issueCertificate, client } = await this.#acme();
      const issued = await issueCertificate({
        client,
        challenges,
        domain,
        privateKeyType: policy.private_key_type === 'rsa' ? 'rsa' : 'ecdsa',
        challengeTypes: config.challengeTypes ?? ['http-01', 'tls-alpn-01'],
        email: config.email,
      });
      if (this.#stopped) return;
      await storeIssued(store, this.#options.encryptionKey, record, issued, config);
      state.failures = 0;
      this.#options.onOrder?.('issued');
      logger.info('ACME: certificate issued', { domain });
    } catch (err) {
      state.failures++;
      this.#options.onOrder?.('failed');
      const retriesAt = Date.now() + retryDelay(state.failures, config);
      const failure = isPorticoError(err)
        ? { code: err.code, msg: err.message }
        : { code: ErrorCode.ERR_ACME_ORDER_FAILED, msg: `${domain}: ${String(err)}` };
      logger.warn('ACME: certificate order failed', { domain, err, retriesAt: new Date(retriesAt).toISOString() });
      if (!this.#stopped)
        await this.#writeStatus(state.accountId, id, (prev) => failedStatus(prev, failure, startedAt, retriesAt));
    }
  }

  async #writeStatus(
    accountId: string,
    id: string,
    next: (prev: CertificateManagementStatus | null) => CertificateManagementStatus,
  ): Promise<void> {
    const { store } = this.#options;
    const record = await store.resources.get<ReservedDomainDoc>(accountId, reservedDomainKind, id);
    if (!record?.doc.certificate_management_policy) return;
    const status = next(readStatus(record.doc.certificate_management_status));
    await store.resources.update(accountId, reservedDomainKind, id, {
      ...record.doc,
      certificate_management_status: { ...status },
    });
  }
}
