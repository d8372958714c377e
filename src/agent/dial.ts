import { isIP } from 'node:net';
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import { splitHostPort } from './addr.ts';

export interface DialOptions {
  /** `host:port` of the edge's agent ingress; the port defaults to 443. */
  serverAddr: string;
  /** Trust anchors (PEM); undefined means the system roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Milliseconds for TCP connect plus TLS handshake. Default 10 000. */
  timeoutMs?: number;
}

/** Socket errors that mean nothing is listening at the address, or it cannot be reached. */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

/**
 * Opens the TLS connection to the edge. SNI is the host part of the address unless that is an
 * IP literal (as the official SDKs do); no ALPN is offered. Fails with
 * ERR_AGENT_EDGE_UNREACHABLE when no connection could be made (refused, timed out, unknown
 * name), else ERR_AGENT_CONNECT (a TLS failure, an untrusted certificate).
 */
export function dialEdge(options: DialOptions): Promise<TLSSocket> {
  const { host, port } = splitHostPort(options.serverAddr, 443);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      ...(options.ca ? { ca: options.ca } : {}),
    });
    const fail = (err: Error, unreachable = unreachableCodes.has((err as NodeJS.ErrnoException).code ?? '')) => {
      clearTimeout(timer);
      socket.destroy();
      const code = unreachable ? ErrorCode.ERR_AGENT_EDGE_UNREACHABLE : ErrorCode.ERR_AGENT_CONNECT;
      reject(new PorticoError(code, `${options.serverAddr}: ${err.message}`, { cause: err }));
    };
    // Timed out before TCP connected: as unreachable as a refusal. After it, the handshake stalled.
    const timer = setTimeout(() => {
      if (socket.connecting) fail(new Error(`no TCP connection after ${timeoutMs} ms`), true);
      else fail(new Error(`no TLS session after ${timeoutMs} ms`), false);
    }, timeoutMs);
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      resolve(socket);
    });
  });
}
