import tls from 'node:tls';
import type { Logger } from '../../log/logger.ts';
import type { MuxSession } from '../../protocol/session.ts';
import type { Pem } from '../tls/local-ca.ts';
import { serveAgentConnection, type AgentConnectionDeps } from '../tunnels/agent-connection.ts';

/** Milliseconds a client has to finish the TLS handshake on the agent port. */
const handshakeTimeoutMs = 10_000;

/** The TLS listener agents dial. Each connection becomes one muxado session. */
export function createAgentIngress(cert: Pem, deps: AgentConnectionDeps, logger: Logger) {
  const sessions = new Set<MuxSession>();
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem, handshakeTimeout: handshakeTimeoutMs, minVersion: 'TLSv1.2' });
  server.on('secureConnection', (socket) => {
    socket.setNoDelay(true);
    const mux = serveAgentConnection(socket, deps);
    sessions.add(mux);
    mux.on('close', () => sessions.delete(mux));
  });
  // Garbage, port scans and failed handshakes are the client's problem, never the edge's.
  server.on('tlsClientError', (err, socket) => {
    logger.debug('agent TLS handshake failed', { err, client: socket.remoteAddress });
    socket.destroy();
  });
  return {
    server,
    /** Asks every agent to reconnect elsewhere (GOAWAY), then stops accepting. */
    drain(message: string): void {
      for (const mux of sessions) mux.goAway(0, message);
    },
    sessions,
  };
}
