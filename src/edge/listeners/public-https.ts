import type http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../../log/logger.ts';
import { proxyConnection } from '../proxy/conn-proxy.ts';
import type { CertificateStore } from '../tls/certificate-store.ts';
import type { TunnelRegistry } from '../tunnels/registry.ts';
import { maxClientHelloBytes, parseClientHello } from './client-hello.ts';

/** Milliseconds a client has to send its ClientHello and finish the handshake. */
const helloTimeoutMs = 10_000;

export interface PublicHttpsOptions {
  registry: TunnelRegistry;
  certificates: CertificateStore;
  /** The HTTP server that terminated connections are handed to. */
  httpServer: http.Server;
  logger: Logger;
}

/**
 * The public HTTPS port. It reads the ClientHello's server name first: a TLS endpoint's name
 * is passed through to its agent untouched; every other connection is terminated here with
 * the certificate chosen by SNI and served as HTTPS.
 */
export function createPublicHttps(options: PublicHttpsOptions): net.Server {
  return net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => routeBySni(socket, options));
}

function routeBySni(socket: net.Socket, options: PublicHttpsOptions): void {
  let buffered: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), helloTimeoutMs);
  socket.on('error', () => socket.destroy());
  socket.on('close', () => clearTimeout(timer));
  const onData = (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    const hello = parseClientHello(buffered);
    if (hello.state === 'need-more' && buffered.length < maxClientHelloBytes) return;
    socket.off('data', onData);
    socket.pause();
    if (hello.state === 'not-tls') return void socket.destroy();
    const name = hello.state === 'done' ? hello.serverName : undefined;
    const group = name ? options.registry.httpsEndpoint(name) : undefined;
    if (group?.kind === 'tls') {
      clearTimeout(timer);
      void proxyConnection(group, socket, 'tls', options.logger, buffered);
      return;
    }
    terminate(socket, buffered, options, timer);
  };
  socket.on('data', onData);
}

function terminate(socket: net.Socket, head: Buffer, options: PublicHttpsOptions, timer: NodeJS.Timeout): void {
  // TLSSocket feeds whatever is already buffered on the socket into the handshake.
  socket.unshift(head);
  const tlsSocket = new tls.TLSSocket(socket, {
    isServer: true,
    secureContext: options.certificates.defaultContext(),
    SNICallback: options.certificates.sniCallback(),
    ALPNProtocols: ['http/1.1'],
  });
  tlsSocket.on('error', (err) => {
    options.logger.debug('public TLS handshake failed', { err });
    tlsSocket.destroy();
  });
  tlsSocket.once('secure', () => clearTimeout(timer));
  options.httpServer.emit('connection', tlsSocket);
}
