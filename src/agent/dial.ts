import { isIP } from 'node:net';
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { PorticoError } from '../errors/catalogue.ts';
import { splitHostPort } from './addr.ts';

export interface DialOptions {
  /** `host:port` of the edge's agent ingress; the port defaults to 443. */
  serverAddr: string;
  /** Trust anchors (PEM); undefined means the system roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Milliseconds for TCP connect plus TLS handshake. Default 10 000. */
  timeoutMs?: number;
}

/**
 * Opens the TLS connection to the edge. SNI is the host part of the address unless that is an
 * IP literal (as the official SDKs do); no ALPN is offered. Fails with ERR_AGENT_CONNECT.
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
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new PorticoError('ERR_AGENT_CONNECT', `${options.serverAddr}: ${err.message}`, { cause: err }));
    };
    const timer = setTimeout(() => fail(new Error(`no TLS session after ${timeoutMs} ms`)), timeoutMs);
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
