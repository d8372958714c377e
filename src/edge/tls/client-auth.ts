/**
 * Mutual TLS on the public port: checking the client certificate a handshake presented
 * against the edge's CAs, and remembering per connection what was verified so that HTTPS
 * requests can carry the subject to the service (`Portico-Client-Cert-Subject`).
 */
import { X509Certificate } from 'node:crypto';
import type tls from 'node:tls';
import type { TlsPolicy } from '../../config/compile/tls-policy.ts';

/** Request header with the verified client certificate's subject (RFC 4514, e.g. `CN=alice,O=Example`). Any copy the client sends is removed. */
export const clientCertSubjectHeader = 'portico-client-cert-subject';

/** What the public port learned about a terminated connection. */
export interface ConnectionTls {
  /** The SNI server name; undefined when the client sent none. */
  serverName: string | undefined;
  /** The policy the handshake was made under. */
  policy: TlsPolicy;
  /** Subject of the verified client certificate; undefined without mutual TLS. */
  clientSubject: string | undefined;
}

const connections = new WeakMap<object, ConnectionTls>();

/** Records what a terminated connection negotiated; `socket` is the TLSSocket handed to the HTTP server. */
export function rememberConnectionTls(socket: object, info: ConnectionTls): void {
  connections.set(socket, info);
}

/** What `rememberConnectionTls` recorded for `socket`, if anything. */
export function connectionTlsOf(socket: object): ConnectionTls | undefined {
  return connections.get(socket);
}

/**
 * Checks the client certificate of a finished handshake under `policy`. A missing certificate
 * already failed the handshake (OpenSSL is told to require one); this catches certificates that
 * do not chain to the policy's CAs or are outside their validity, which OpenSSL reports but
 * Node only acts on for sockets made by a `tls.Server`. Returns the subject, or why it is refused.
 */
export function verifyClientCertificate(
  socket: tls.TLSSocket,
  policy: TlsPolicy,
): { subject: string } | { refused: string } {
  if (!policy.clientCaPem) return { refused: 'mutual_tls has no certificate authority' };
  // The verification result OpenSSL computed during the handshake (Node's own server reads the same).
  const handle = (socket as unknown as { _handle?: { verifyError?: () => Error | null } })._handle;
  const error = handle?.verifyError ? handle.verifyError() : new Error('no TLS handle');
  if (error) return { refused: (error as NodeJS.ErrnoException).code ?? error.message };
  const cert = socket.getPeerX509Certificate();
  if (!cert) return { refused: 'no client certificate' };
  return { subject: rfc4514Subject(cert) };
}

/** `C=DE\nO=Example\nCN=alice` (as Node prints it, most general first) → `CN=alice,O=Example,C=DE`. */
export function rfc4514Subject(cert: X509Certificate): string {
  return cert.subject
    .split('\n')
    .filter(Boolean)
    .reverse()
    .map((rdn) => rdn.replace(/([,+"\\<>;])/g, '\\$1'))
    .join(',');
}
