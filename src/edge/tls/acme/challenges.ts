/**
 * The answers to ACME challenges in flight, read by the public listeners: HTTP-01 tokens for
 * `GET /.well-known/acme-challenge/<token>` on the HTTP port, and TLS-ALPN-01 certificates for
 * ClientHellos that offer ALPN `acme-tls/1` on the HTTPS port.
 */
import type http from 'node:http';
import tls from 'node:tls';

/** The ALPN protocol id of TLS-ALPN-01 (RFC 8737). */
export const ACME_TLS_ALPN = 'acme-tls/1';

const HTTP_PREFIX = '/.well-known/acme-challenge/';

export class AcmeChallenges {
  readonly #tokens = new Map<string, string>();
  readonly #alpn = new Map<string, tls.SecureContext>();

  /** Serves `keyAuthorization` for `token` until `deleteHttp`. */
  setHttp(token: string, keyAuthorization: string): void {
    this.#tokens.set(token, keyAuthorization);
  }

  deleteHttp(token: string): void {
    this.#tokens.delete(token);
  }

  /** Serves the challenge certificate for `domain` (lower case) until `deleteAlpn`. */
  setAlpn(domain: string, certPem: string, keyPem: string): void {
    this.#alpn.set(domain, tls.createSecureContext({ cert: certPem, key: keyPem }));
  }

  deleteAlpn(domain: string): void {
    this.#alpn.delete(domain);
  }

  /** The TLS-ALPN-01 context for `servername`, if a challenge for it is in flight. */
  alpnContext(servername: string): tls.SecureContext | undefined {
    return this.#alpn.get(servername.toLowerCase());
  }

  /**
   * Answers an HTTP-01 request and returns true, or returns false for any other request so it
   * is proxied as usual. An unknown token gets 404 (the CA then reports the failure).
   */
  serveHttp(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (!req.url?.startsWith(HTTP_PREFIX)) return false;
    const token = req.url.slice(HTTP_PREFIX.length);
    const answer = this.#tokens.get(token);
    // A token we never issued may belong to the service behind the edge (its own ACME client).
    if (answer === undefined) return false;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(answer) });
    res.end(req.method === 'HEAD' ? undefined : answer);
    return true;
  }
}
