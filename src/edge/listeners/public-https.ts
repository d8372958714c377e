import type http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../../log/logger.ts';
import { newRequestId } from '../../log/request-id.ts';
import type { ConnExchange } from '../backends/backend.ts';
import { proxyConnection } from '../proxy/conn-proxy.ts';
import { writeRawErrorPage } from '../proxy/error-page.ts';
import { resolveHttpsHost, tlsPolicyOf } from '../routing/resolve-host.ts';
import type { CompiledTlsEdge, Snapshot } from '../snapshot/snapshot.ts';
import type { CertificateStore } from '../tls/certificate-store.ts';
import { rememberConnectionTls, verifyClientCertificate } from '../tls/client-auth.ts';
import type { TlsPolicy } from '../../config/compile/tls-policy.ts';
import { ErrorCode } from '../../errors/catalogue.ts';
import type { TunnelRegistry } from '../tunnels/registry.ts';
import { maxClientHelloBytes, parseClientHello } from './client-hello.ts';
import type { ConnectionBudget } from './connection-budget.ts';
import { answerAlpnChallenge, isAlpnChallenge } from '../tls/acme/alpn-responder.ts';
import type { AcmeChallenges } from '../tls/acme/challenges.ts';
import { clientAddrOf, clientIpOf } from '../proxy/client-addr.ts';
import type { OpenConnections } from '../proxy/open-connections.ts';
import { reportTcpConnectionClosed } from '../events/tcp-connection-closed.ts';
import type { TrafficEvents } from '../events/traffic.ts';

export interface PublicHttpsOptions {
  registry: TunnelRegistry;
  snapshot: () => Snapshot;
  certificates: CertificateStore;
  /** The HTTP server that terminated connections are handed to. */
  httpServer: http.Server;
  /** Answers ACME TLS-ALPN-01 validations (ALPN `acme-tls/1`) when set. */
  acmeChallenges?: AcmeChallenges;
  /** Milliseconds a client has to send its ClientHello and finish the handshake (EdgeTimeouts.handshake). */
  handshakeTimeoutMs: number;
  /** The public connection cap this listener counts against. */
  budget: ConnectionBudget;
  /** Where `tcp_connection_closed.v0` of TLS endpoints and TLS edges goes. Absent: no traffic events. */
  events?: TrafficEvents;
  /** Checks TLS connections passed on against the account's IP restrictions, now and when they change. */
  openConnections: OpenConnections;
  logger: Logger;
}

/**
 * The public HTTPS port. It reads the ClientHello's server name first: a TLS endpoint or a TLS
 * edge passing through is handed on untouched; a TLS edge terminating here gets plaintext;
 * every other connection is terminated with the certificate chosen by SNI and served as HTTPS.
 * A terminated handshake uses the TLS policy (minimum version, client certificates) of the edge
 * or agent endpoint serving the name; other names, and clients that send no SNI, get the default.
 */
export function createPublicHttps(options: PublicHttpsOptions): net.Server {
  return net.createServer(
    { noDelay: true, allowHalfOpen: true },
    options.budget.wrap((socket) => routeBySni(socket, options)),
  );
}

function routeBySni(socket: net.Socket, options: PublicHttpsOptions): void {
  let buffered: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), options.handshakeTimeoutMs);
  socket.on('error', () => socket.destroy());
  socket.on('close', () => clearTimeout(timer));
  const onData = (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    const hello = parseClientHello(buffered);
    if (hello.state === 'need-more' && buffered.length < maxClientHelloBytes) return;
    socket.off('data', onData);
    socket.pause();
    // Plain text on the TLS port (usually http:// to the HTTPS port): say so, then close.
    if (hello.state === 'not-tls')
      return void writeRawErrorPage(
        socket,
        ErrorCode.ERR_EDGE_BAD_REQUEST,
        newRequestId(),
        'this port speaks TLS: use https://',
      );
    if (hello.state === 'done' && isAlpnChallenge(options.acmeChallenges, hello.serverName, hello.alpnProtocols)) {
      return void answerAlpnChallenge(socket, buffered, hello.serverName!, options.acmeChallenges!, options.logger);
    }
    const name = hello.state === 'done' ? hello.serverName : undefined;
    const snapshot = options.snapshot();
    const target = name ? resolveHttpsHost(name, snapshot, options.registry) : undefined;
    if (target?.kind === 'endpoint' && target.group.kind === 'tls') {
      clearTimeout(timer);
      const ids = { accountId: target.group.accountId, endpointId: target.group.tunnels[0]?.endpointId };
      reportTcpConnectionClosed(options.events, socket, ids);
      // A source the account's IP restrictions refuse is disconnected before a byte reaches the agent.
      if (!options.openConnections.admit(snapshot, target.group.accountId, socket, options.logger))
        return void socket.destroy();
      return void proxyConnection(target.group, socket, { proto: 'tls', logger: options.logger, head: buffered, ids });
    }
    if (target?.kind === 'edge' && target.edge.kind === 'tls')
      return void serveTlsEdge(
        { edge: target.edge, matched: target.name, name },
        socket,
        buffered,
        options,
        timer,
        snapshot,
      );
    const policy = tlsPolicyOf(target);
    void terminate({ socket, head: buffered, name, policy }, options, timer, (tlsSocket) =>
      options.httpServer.emit('connection', tlsSocket),
    );
  };
  socket.on('data', onData);
}

/**
 * A connection to a TLS edge: `matched` is the edge's hostname that matched (a wildcard, maybe),
 * `name` the server name the client sent.
 */
function serveTlsEdge(
  { edge, matched, name }: { edge: CompiledTlsEdge; matched: string; name: string | undefined },
  socket: net.Socket,
  head: Buffer,
  options: PublicHttpsOptions,
  timer: NodeJS.Timeout,
  snapshot: Snapshot,
): void {
  const clientAddr = clientAddrOf(socket);
  if (edge.backend)
    reportTcpConnectionClosed(options.events, socket, {
      accountId: edge.accountId,
      edgeId: edge.id,
      backendId: edge.backend.id,
      endpointId: edge.endpointIds.get(matched),
    });
  // A source the IP restrictions (the edge's, its account's) refuse is disconnected before the
  // handshake, so before any byte reaches the agent.
  if (
    (edge.ipFilter && !edge.ipFilter.admits(clientIpOf(socket))) ||
    !options.openConnections.admit(snapshot, edge.accountId, socket, options.logger)
  ) {
    clearTimeout(timer);
    return void socket.destroy();
  }
  const forward = (ex: ConnExchange) => {
    if (!edge.backend) return void ex.socket.destroy();
    void edge.backend.forwardConn(ex).then((outcome) => outcome === 'unavailable' && ex.socket.destroy());
  };
  if (edge.terminateAt === 'upstream') {
    clearTimeout(timer);
    return forward({ socket, head, proto: 'tls', edgeType: '2', passthroughTls: true, clientAddr });
  }
  void terminate({ socket, head, name, policy: edge.tls }, options, timer, undefined, (tlsSocket) =>
    forward({
      socket: tlsSocket as unknown as net.Socket,
      proto: 'tls',
      edgeType: '2',
      passthroughTls: false,
      clientAddr,
    }),
  );
}

/** A connection whose ClientHello was read, about to be terminated here. */
interface Hello {
  socket: net.Socket;
  /** Everything read so far (the ClientHello), replayed into the handshake. */
  head: Buffer;
  /** The SNI server name; undefined when the client sent none. */
  name: string | undefined;
  policy: TlsPolicy;
}

/**
 * Terminates TLS with the certificate for the name and a context built for the policy.
 * `onSocket` gets the TLSSocket at once (an HTTP server must see it before any data);
 * `onVerified` once the handshake is done and any client certificate was accepted.
 */
async function terminate(
  hello: Hello,
  options: PublicHttpsOptions,
  timer: NodeJS.Timeout,
  onSocket?: (tlsSocket: tls.TLSSocket) => void,
  onVerified?: (tlsSocket: tls.TLSSocket) => void,
): Promise<void> {
  const { socket, policy } = hello;
  let secureContext: tls.SecureContext;
  try {
    secureContext = await options.certificates.contextFor(hello.name, policy);
  } catch (err) {
    options.logger.warn('no certificate for a public TLS handshake', { name: hello.name, err });
    return void socket.destroy();
  }
  if (socket.destroyed) return;
  // TLSSocket feeds whatever is already buffered on the socket into the handshake.
  socket.unshift(hello.head);
  // Requiring a certificate makes OpenSSL fail a handshake that presents none.
  const mutual = policy.clientCaPem !== undefined;
  const tlsSocket = new tls.TLSSocket(socket, {
    isServer: true,
    secureContext,
    requestCert: mutual,
    rejectUnauthorized: mutual,
    ALPNProtocols: ['http/1.1'],
  });
  tlsSocket.on('error', (err) => {
    options.logger.debug('public TLS handshake failed', { err, name: hello.name });
    tlsSocket.destroy();
  });
  tlsSocket.once('secure', () => {
    clearTimeout(timer);
    const client = mutual ? verifyClientCertificate(tlsSocket, policy) : undefined;
    if (client && 'refused' in client) {
      options.logger.debug('client certificate refused', { name: hello.name, reason: client.refused });
      return void tlsSocket.destroy();
    }
    rememberConnectionTls(tlsSocket, { serverName: hello.name, policy, clientSubject: client?.subject });
    onVerified?.(tlsSocket);
  });
  onSocket?.(tlsSocket);
}
