/**
 * Chooses the certificate for each TLS handshake on the public listener by SNI: a resolver
 * hook first (certificates attached to reserved domains, reserved-domain-certificates.ts), then the wildcard
 * certificate for the edge domain, then a certificate issued on demand by the local CA. Each
 * certificate gets one secure context per TLS policy (minimum version, client CAs), cached.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import tls from 'node:tls';
import { ContextCache, type CachedContext } from './context-cache.ts';
import { isValidHostname, normalizeHostname } from '../../config/names/hostname.ts';
import { issueLeafCertificate, type Pem } from './local-ca.ts';
import { readPemPair, writePemPair } from './pem-files.ts';
import { defaultTlsPolicy, type TlsPolicy } from '../../config/compile/tls-policy.ts';
import { ciphersFor, nodeTlsVersion } from '../../config/compile/tls-versions.ts';

/** A certificate is replaced once it has fewer than this many milliseconds left (30 days). */
const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface CertificateStoreOptions {
  /** The local CA that issues the wildcard and on-demand certificates. */
  ca: Pem;
  /** The edge domain, e.g. `localhost` or `edge.example.com`. */
  domain: string;
  /** Folder for `wildcard.pem` and `wildcard-key.pem`; created when missing. */
  dir: string;
  /** On-demand certificates kept in memory, least recently used dropped first. Default 1000. */
  maxCached?: number;
  /**
   * Consulted first for every valid name; a returned pair wins over the local CA. Return the
   * same object for the same certificate so its secure context is built once.
   */
  resolve?: (name: string) => Promise<Pem | undefined>;
  /**
   * The name to issue an on-demand certificate under when a client asks for `name` (the name
   * itself, or a wildcard that covers it), or undefined when the edge serves no such name:
   * that client gets the default certificate and nothing is signed. Default: every name.
   */
  issuable?: (name: string) => string | undefined;
}

interface Wildcard {
  context: tls.SecureContext;
  pem: Pem;
  refreshAt: number;
}

export class CertificateStore {
  readonly #ca: Pem;
  readonly #domain: string;
  readonly #dir: string;
  readonly #resolve: CertificateStoreOptions['resolve'];
  readonly #issuable: NonNullable<CertificateStoreOptions['issuable']>;
  readonly #onDemand: ContextCache;
  /** Contexts by certificate, then by policy key; a certificate that is dropped takes its contexts along. */
  readonly #contexts = new WeakMap<Pem, Map<string, tls.SecureContext>>();
  #wildcard: Wildcard | undefined;
  #renewing: Promise<void> | undefined;

  constructor(options: CertificateStoreOptions) {
    this.#ca = options.ca;
    this.#domain = normalizeHostname(options.domain);
    this.#dir = options.dir;
    this.#resolve = options.resolve;
    this.#issuable = options.issuable ?? ((name) => name);
    this.#onDemand = new ContextCache(options.maxCached ?? 1000);
    if (!isValidHostname(this.#domain)) throw new RangeError(`not a valid edge domain: ${options.domain}`);
  }

  /** Loads `wildcard.pem`, or issues and writes it when missing, foreign or expiring within 30 days. */
  async init(): Promise<void> {
    const certPath = join(this.#dir, 'wildcard.pem');
    const keyPath = join(this.#dir, 'wildcard-key.pem');
    let pem = await readPemPair(certPath, keyPath);
    if (!pem || !this.#wildcardUsable(pem)) {
      pem = await issueLeafCertificate(this.#ca, { dnsNames: this.#wildcardNames() }, { commonName: this.#domain });
      await writePemPair(certPath, keyPath, pem);
    }
    this.#wildcard = { pem, context: this.#contextOf(pem, defaultTlsPolicy), refreshAt: refreshAt(pem) };
  }

  /** The context for a handshake that asked for `servername`; invalid or missing names get the default. */
  async contextFor(servername: string | undefined, policy: TlsPolicy = defaultTlsPolicy): Promise<tls.SecureContext> {
    return this.#contextOf(await this.certificateFor(servername), policy);
  }

  /** Names issued on demand and kept (at most `maxCached`). */
  get issuedCount(): number {
    return this.#onDemand.size;
  }

  /**
   * The certificate served for `servername`: attached, else the edge wildcard, else issued on
   * demand for a name the edge serves, else the edge wildcard.
   */
  async certificateFor(servername: string | undefined): Promise<Pem> {
    await this.#renewIfDue();
    const name = servername === undefined ? '' : normalizeHostname(servername);
    if (!isValidHostname(name)) return this.#current().pem;
    const resolved = this.#resolve && (await this.#resolve(name));
    if (resolved) return resolved;
    if (this.#wildcardCovers(name)) return this.#current().pem;
    // Signing costs ~10 ms of CPU in the signing process, and a start of it when none is up:
    // only for names the edge serves, never for whatever a client sends. Names one label under a
    // single-label domain are the exception: the wildcard would cover them if clients accepted
    // it, and their visitors should see the error page, not a certificate warning, while no
    // tunnel serves them.
    const issueAs = this.#issuable(name) ?? (this.#oneLabelUnderDomain(name) ? name : undefined);
    if (issueAs === undefined) return this.#current().pem;
    return (await this.#onDemand.entry(issueAs, () => this.#issue(issueAs))).pem;
  }

  /** The wildcard certificate's context, used when the client sends no usable SNI. */
  defaultContext(): tls.SecureContext {
    return this.#current().context;
  }

  /**
   * Whether the wildcard certificate serves `name`: the domain itself or one label under it.
   * A single-label domain (`localhost`) is the exception: TLS clients refuse `*.localhost`
   * like any `*.tld`, so its subdomains get their own certificates on demand.
   */
  #wildcardCovers(name: string): boolean {
    if (name === this.#domain) return true;
    return this.#domain.includes('.') && this.#oneLabelUnderDomain(name);
  }

  #oneLabelUnderDomain(name: string): boolean {
    return name.endsWith(`.${this.#domain}`) && !name.slice(0, -this.#domain.length - 1).includes('.');
  }

  #wildcardNames(): string[] {
    return [this.#domain, `*.${this.#domain}`];
  }

  // A file from another CA or domain, a damaged file, or one near expiry is replaced, not fatal.
  #wildcardUsable(pem: Pem): boolean {
    try {
      const cert = new X509Certificate(pem.certPem);
      const ca = new X509Certificate(this.#ca.certPem);
      const sans = (cert.subjectAltName ?? '').split(', ');
      return (
        cert.checkIssued(ca) &&
        cert.verify(ca.publicKey) &&
        refreshAt(pem) > Date.now() &&
        cert.checkPrivateKey(createPrivateKey(pem.keyPem)) &&
        this.#wildcardNames().every((n) => sans.includes(`DNS:${n}`))
      );
    } catch {
      return false;
    }
  }

  #current(): Wildcard {
    if (!this.#wildcard) throw new Error('CertificateStore.init() must complete before use');
    return this.#wildcard;
  }

  // Renewal runs on the handshake path at most once per certificate lifetime; handshakes wait for it.
  async #renewIfDue(): Promise<void> {
    if (this.#current().refreshAt > Date.now()) return;
    this.#renewing ??= this.init().finally(() => {
      this.#renewing = undefined;
    });
    await this.#renewing;
  }

  async #issue(name: string): Promise<CachedContext> {
    const pem = await issueLeafCertificate(this.#ca, { dnsNames: [name] });
    return { context: this.#contextOf(pem, defaultTlsPolicy), pem, refreshAt: refreshAt(pem) };
  }

  #contextOf(pem: Pem, policy: TlsPolicy): tls.SecureContext {
    let byPolicy = this.#contexts.get(pem);
    if (!byPolicy) this.#contexts.set(pem, (byPolicy = new Map<string, tls.SecureContext>()));
    let context = byPolicy.get(policy.key);
    if (!context) {
      context = secureContext(pem, policy);
      byPolicy.set(policy.key, context);
    }
    return context;
  }
}

function secureContext(pem: Pem, policy: TlsPolicy): tls.SecureContext {
  return tls.createSecureContext({
    cert: pem.certPem,
    key: pem.keyPem,
    minVersion: nodeTlsVersion(policy.minVersion),
    ciphers: ciphersFor(policy.minVersion),
    // Given CAs replace Node's public roots; with none given nothing is trusted (client-auth.ts refuses).
    ca: policy.clientCaPem || undefined,
  });
}

/** When a certificate should be replaced: 30 days before it expires. */
function refreshAt(pem: Pem): number {
  return Date.parse(new X509Certificate(pem.certPem).validTo) - RENEW_BEFORE_MS;
}
