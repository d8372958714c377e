/**
 * The certificates AWS SNS signs messages with, fetched from the message's SigningCertURL and
 * kept. Only an https URL on an SNS host, with a path ending in `.pem`, is ever fetched; the
 * fetch is bounded in time and size, and the TLS connection is verified as usual.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import https from 'node:https';

export interface SnsCertificateOptions {
  /** Hosts (host[:port]) a SigningCertURL may name. Default: AWS SNS's hosts. */
  hostPattern: RegExp;
  /**
   * CA certificates (PEM) trusted for the fetch instead of Node's. Default: Node's. Tests set
   * it, with `hostPattern`, to serve a certificate over loopback HTTPS.
   */
  ca?: string;
  /** Milliseconds a fetch may take. Default 5 000. */
  timeoutMs: number;
  /** Bytes a certificate file may have. Default 64 KiB. */
  maxBytes: number;
}

export const snsCertificateDefaults: SnsCertificateOptions = {
  hostPattern: /^sns\.[a-z0-9-]{3,}\.amazonaws\.com(\.cn)?$/,
  timeoutMs: 5000,
  maxBytes: 64 * 1024,
};

/** Certificates kept at most; the oldest goes first. */
const cacheSize = 64;

export class SnsCertificates {
  private readonly options: SnsCertificateOptions;
  private readonly cache = new Map<string, Promise<KeyObject>>();

  constructor(options: Partial<SnsCertificateOptions> = {}) {
    this.options = { ...snsCertificateDefaults, ...options };
  }

  /** Whether `url` may be fetched: https, an SNS host, a `.pem` path. */
  allows(url: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    return (
      parsed.protocol === 'https:' &&
      !parsed.username &&
      !parsed.password &&
      this.options.hostPattern.test(parsed.host) &&
      parsed.pathname.endsWith('.pem')
    );
  }

  /** The public key of the certificate at `url` (which `allows`); rejects when it cannot be had. */
  publicKey(url: string): Promise<KeyObject> {
    let key = this.cache.get(url);
    if (!key) {
      key = this.fetch(url).then((pem) => new X509Certificate(pem).publicKey);
      // A failed fetch is not kept: the next message tries again.
      key.catch(() => this.cache.delete(url));
      this.cache.set(url, key);
      if (this.cache.size > cacheSize) this.cache.delete(this.cache.keys().next().value!);
    }
    return key;
  }

  private fetch(url: string): Promise<string> {
    const { ca, timeoutMs, maxBytes } = this.options;
    return new Promise<string>((resolve, reject) => {
      const req = https.get(url, { ca, agent: false }, (res) => {
        if (res.statusCode !== 200) return req.destroy(new Error(`certificate fetch answered ${res.statusCode}`));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return req.destroy(new Error(`certificate over ${maxBytes} bytes`));
          chunks.push(chunk);
        });
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      });
      // The whole fetch, not only an idle socket, is bounded.
      const timer = setTimeout(() => req.destroy(new Error(`certificate fetch over ${timeoutMs} ms`)), timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', reject);
    });
  }
}
