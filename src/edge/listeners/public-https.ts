import type http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../../log/logger.ts';
import type { ConnExchange } from '../backends/backend.ts';
import { proxyConnection } from '../proxy/conn-proxy.ts';
import { resolveHttpsHost } from '../routing/resolve-host.ts';
import type { CompiledTlsEdge, Snapshot } from '../snapshot/snapshot.ts';
import type { CertificateStore } from '../tls/certificate-store.ts';
import type { TunnelRegistry } from '../tunnels/registry.ts';
import { maxClientHelloBytes, parseClientHello } from './client-hello.ts';
import { answerAlpnChallenge, isAlpnChallenge } from '../tls/acme/alpn-responder.ts';
import type { AcmeChallenges } from '../tls/acme/challenges.ts';

/** Milliseconds a client has to send its ClientHello and finish the handshake. */
const helloTimeoutMs = 10_000;

export interface PublicHttpsOptions {
  registry: TunnelRegistry;
  snapshot: () => Snapshot;
  certificates: CertificateStore;
  /** The HTTP server that terminated connections are handed to. */
  httpServer: http.Server;
  /** Answers ACME TLS-ALPN-01 validations (ALPN `acme-tls/1`) when set. */
  acmeChallenges?: AcmeChallenges;
  logger: Logger;
}

/**
 * The public HTTPS port. It reads the ClientHello's server name first: a TLS endpoint or a TLS
 * edge passing through is handed on untouched; a TLS edge terminating here gets plaintext;
 * every other connection is terminated with the certificate chosen by SNI and served as HTTPS.
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
    if (hello.state === 'done' && isAlpnChallenge(options.acmeChallenges, hello.serverName, hello.alpnProtocols)) {
      return void answerAlpnChallenge(socket, buffered, hello.serverName!, options.acmeChallenges!, options.logger);
    }
    const name = hello.state === 'done' ? hello.serverName : undefined;
    const target = name ? resolveHttpsHost(name, options.snapshot(), options.registry) : undefined;
    if (target?.kind === 'endpoint' && target.group.kind === 'tls') {
      clearTimeout(timer);
      return void proxyConnection(target.group, socket, 'tls', options.logger, buffered);
    }
    if (target?.kind === 'edge' && target.edge.kind === 'tls') return void serveTlsEdge(target.edge, socket, buffered, options, timer);
    terminate(socket, buffered, options, timer, (tlsSocket) => options.httpServer.emit('connection', tlsSocket));
  };
  socket.on('data', onData);
}

function serveTlsEdge(edge: CompiledTlsEdge, socket: net.Socket, head: Buffer, options: PublicHttpsOptions, timer: NodeJS.Timeout): void {
  const clientAddr = `${(socket.remoteAddress ?? '').replace(/^::ffff:/, '')}:${socket.remotePort ?? 0}`;
  const forward = (ex: ConnExchange) => {
    if (!edge.backend) return void ex.socket.destroy();
    void edge.backend.forwardConn(ex).then((outcome) => outcome === 'unavailable' && ex.socket.destroy());
  };
  if (edge.terminateAt === 'upstream') {
    clearTimeout(timer);
    return forward({ socket, head, proto: 'tls', edgeType: '2', passthroughTls: true, clientAddr });
  }
  terminate(socket, head, options, timer, (tlsSocket) =>
    tlsSocket.once('secure', () => forward({ socket: tlsSocket as unknown as net.Socket, proto: 'tls', edgeType: '2', passthroughTls: false, clientAddr })),
  );
}

function terminate(socket: net.Socket, head: Buffer, options: PublicHttpsOptions, timer: NodeJS.Timeout, then: (tlsSocket: tls.TLSSocket) => void): void {
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
  then(tlsSocket);
}
