import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../../log/logger.ts';
import type { MuxSession } from '../../protocol/session.ts';
import type { Pem } from '../tls/local-ca.ts';
import { serveAgentConnection, type AgentConnectionDeps } from '../tunnels/agent-connection.ts';

/**
 * Connections not yet authenticated (handshaking, or before Auth succeeded) allowed at once
 * from one IP address, and from everyone together. Past them a new connection is closed at
 * once, so a flood from one source costs the edge next to nothing and leaves room for others
 * (docs/protocol.md §9).
 */
export const unauthenticatedLimits = { perSource: 32, total: 1024 };

/**
 * The TLS listener agents dial. Each connection becomes one muxado session. A client has
 * `deps.authTimeoutMs` for the TLS handshake and as long again for its Auth.
 */
export function createAgentIngress(cert: Pem, deps: AgentConnectionDeps, logger: Logger) {
  const sessions = new Set<MuxSession>();
  const secureContext = tls.createSecureContext({ cert: cert.certPem, key: cert.keyPem, minVersion: 'TLSv1.2' });
  const pending = new PendingBySource(unauthenticatedLimits);
  const server = net.createServer({ noDelay: true }, (socket) => {
    const source = socket.remoteAddress ?? '';
    if (!pending.admit(source)) {
      logger.debug('too many unauthenticated agent connections', { client: source });
      return void socket.destroy();
    }
    let authenticated = false;
    const release = () => {
      if (authenticated) return;
      authenticated = true;
      pending.release(source);
    };
    socket.once('close', release);
    socket.on('error', () => socket.destroy());
    const tlsSocket = new tls.TLSSocket(socket, { isServer: true, secureContext });
    const timer = setTimeout(() => tlsSocket.destroy(), deps.authTimeoutMs);
    // Garbage, port scans and failed handshakes are the client's problem, never the edge's.
    tlsSocket.on('error', (err) => {
      logger.debug('agent TLS connection failed', { err, client: source });
      tlsSocket.destroy();
    });
    tlsSocket.once('close', () => clearTimeout(timer));
    tlsSocket.once('secure', () => {
      clearTimeout(timer);
      const mux = serveAgentConnection(tlsSocket, deps, { authenticated: release });
      sessions.add(mux);
      mux.on('close', () => sessions.delete(mux));
    });
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

/** Counts unauthenticated connections per source address against `limits`. */
class PendingBySource {
  private readonly bySource = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: { perSource: number; total: number }) {}

  /** Counts one more from `source`; false (and nothing counted) when a limit is reached. */
  admit(source: string): boolean {
    const n = this.bySource.get(source) ?? 0;
    if (n >= this.limits.perSource || this.total >= this.limits.total) return false;
    this.bySource.set(source, n + 1);
    this.total++;
    return true;
  }

  release(source: string): void {
    const n = (this.bySource.get(source) ?? 1) - 1;
    if (n > 0) this.bySource.set(source, n);
    else this.bySource.delete(source);
    this.total--;
  }
}
