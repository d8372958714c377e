/** Answers a TLS-ALPN-01 validation connection on the public HTTPS port (RFC 8737). */
import type net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../../../log/logger.ts';
import { ACME_TLS_ALPN, type AcmeChallenges } from './challenges.ts';

/**
 * Whether a ClientHello is an ACME validation we can answer: it offers only `acme-tls/1` (a
 * browser never does) and a challenge for its server name is in flight.
 */
export function isAlpnChallenge(
  challenges: AcmeChallenges | undefined,
  serverName: string | undefined,
  alpnProtocols: readonly string[],
): boolean {
  return !!challenges && !!serverName && alpnProtocols.includes(ACME_TLS_ALPN) && !!challenges.alpnContext(serverName);
}

/**
 * Completes the handshake with the challenge certificate for `serverName` and closes: the CA
 * only inspects the certificate. `head` is the ClientHello already read from `socket`.
 */
export function answerAlpnChallenge(
  socket: net.Socket,
  head: Buffer,
  serverName: string,
  challenges: AcmeChallenges,
  logger: Logger,
): void {
  const context = challenges.alpnContext(serverName);
  if (!context) return void socket.destroy();
  socket.unshift(head);
  const tlsSocket = new tls.TLSSocket(socket, {
    isServer: true,
    secureContext: context,
    ALPNProtocols: [ACME_TLS_ALPN],
  });
  tlsSocket.on('error', (err) => {
    logger.debug('TLS-ALPN-01 validation handshake failed', { err, serverName });
    tlsSocket.destroy();
  });
  tlsSocket.once('secure', () => tlsSocket.end());
}
