/**
 * Certificates attached to reserved domains (`certificate_id`: uploaded or issued by the ACME
 * manager), indexed in memory for the handshake path. The index follows the store: it is
 * rebuilt after every change to reserved domains or TLS certificates, so attaching or
 * replacing a certificate applies to the next handshake without a restart.
 */
import { X509Certificate } from 'node:crypto';
import { coveringKeys, reservedDomainKind } from '../../config/names/domain-names.ts';
import {
  tlsCertificateKey,
  tlsCertificateKind,
  type TlsCertificateDoc,
} from '../../config/documents/tls-certificate.ts';
import type { Logger } from '../../log/logger.ts';
import { StoreFollower } from '../../store/follow.ts';
import type { ResourceRecord } from '../../store/resources.ts';
import type { Store } from '../../store/store.ts';
import type { Pem } from './local-ca.ts';

interface Attached {
  pem: Pem;
  cert: X509Certificate;
}

export class ReservedDomainCertificates {
  readonly #store: Store;
  readonly #encryptionKey: Buffer;
  readonly #logger: Logger;
  /** Reservation key (`app.example.com`, `*.example.com`) → its certificate. */
  #byDomain = new Map<string, Attached>();
  readonly #follower: StoreFollower;

  /** `encryptionKey` decrypts stored private keys (deriveEncryptionKey). */
  constructor(store: Store, encryptionKey: Buffer, logger: Logger) {
    this.#store = store;
    this.#encryptionKey = encryptionKey;
    this.#logger = logger;
    this.#follower = new StoreFollower(store.changes, [reservedDomainKind, tlsCertificateKind], () => this.#rebuild());
  }

  /** Loads the index and starts following the store. */
  start(): Promise<void> {
    return this.#follower.start();
  }

  stop(): void {
    this.#follower.stop();
  }

  /** Resolves once every change announced so far is in the index. */
  settled(): Promise<void> {
    return this.#follower.settled();
  }

  /**
   * The certificate for `name`: the one attached to the reservation of exactly that name, else
   * the one of the most specific wildcard reservation above it whose certificate covers the
   * name. Undefined when none applies (the caller falls back to the edge's certificates). The
   * same Pem object is returned until the certificate changes, so contexts can be cached by it.
   */
  resolve(name: string): Pem | undefined {
    const [exact, ...wildcards] = coveringKeys(name);
    const own = this.#byDomain.get(exact!);
    if (own) return own.pem;
    for (const key of wildcards) {
      const hit = this.#byDomain.get(key);
      if (hit?.cert.checkHost(name)) return hit.pem;
    }
    return undefined;
  }

  /** Each attached certificate's reservation and when it expires (Unix seconds), for the metrics. */
  expiries(): Array<{ domain: string; notAfter: number }> {
    return [...this.#byDomain].map(([domain, { cert }]) => ({ domain, notAfter: Date.parse(cert.validTo) / 1000 }));
  }

  async #rebuild(): Promise<void> {
    try {
      const records = await this.#store.resources.all([reservedDomainKind, tlsCertificateKind]);
      const certs = new Map(
        records.filter((r) => r.kind === tlsCertificateKind).map((r) => [r.id, r as ResourceRecord<TlsCertificateDoc>]),
      );
      const previous = this.#byDomain;
      const next = new Map<string, Attached>();
      for (const r of records) {
        const certId = r.kind === reservedDomainKind ? r.doc.certificate_id : undefined;
        const record = typeof certId === 'string' ? certs.get(certId) : undefined;
        if (!record || !r.key) continue;
        const attached = this.#attach(record, previous.get(r.key));
        if (attached) next.set(r.key, attached);
      }
      this.#byDomain = next;
    } catch (err) {
      this.#logger.error('could not load reserved-domain certificates; the previous ones stay in use', { err });
    }
  }

  // Reuse the previous entry when the certificate is unchanged, so its cached contexts survive.
  #attach(record: ResourceRecord<TlsCertificateDoc>, previous: Attached | undefined): Attached | undefined {
    if (previous && previous.pem.certPem === record.doc.certificate_pem) return previous;
    try {
      const pem = { certPem: record.doc.certificate_pem, keyPem: tlsCertificateKey(this.#encryptionKey, record) };
      return { pem, cert: new X509Certificate(pem.certPem) };
    } catch (err) {
      this.#logger.warn('a stored certificate cannot be used; its names get the default certificate', {
        id: record.id,
        err,
      });
      return undefined;
    }
  }
}
