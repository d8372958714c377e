import type net from 'node:net';
import type { Logger } from '../../log/logger.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { TcpListeners } from '../tunnels/registry.ts';
import { clientAddrOf, clientIpOf } from '../proxy/client-addr.ts';
import type { OpenConnections } from '../proxy/open-connections.ts';
import { reportTcpConnectionClosed } from '../events/tcp-connection-closed.ts';
import type { TrafficEvents } from '../events/traffic.ts';

/**
 * Keeps one public listener open for each TCP edge port in the current snapshot: opened when
 * a snapshot adds the port, closed when one drops it. Each connection is served by the edge
 * that holds the port in the snapshot current when it arrives.
 */
export class TcpEdgeListeners {
  private readonly open = new Map<number, { close(): void }>();

  constructor(
    private readonly tcp: TcpListeners,
    private readonly snapshot: () => Snapshot,
    private readonly logger: Logger,
    /** Checks connections against the account's IP restrictions, now and when they change. */
    private readonly openConnections: OpenConnections,
    /** Where `tcp_connection_closed.v0` goes. Absent: no traffic events. */
    private readonly events?: TrafficEvents,
  ) {}

  /** Opens and closes listeners to match `snapshot`. */
  async sync(snapshot: Snapshot): Promise<void> {
    for (const [port, listener] of this.open) {
      if (!snapshot.tcpPorts.has(port)) {
        listener.close();
        this.open.delete(port);
      }
    }
    for (const port of snapshot.tcpPorts.keys()) {
      if (this.open.has(port)) continue;
      try {
        this.open.set(port, await this.tcp.open(port, (socket) => this.serve(port, socket)));
      } catch (err) {
        this.logger.error('could not listen for a TCP edge', { port, err });
      }
    }
  }

  closeAll(): void {
    for (const listener of this.open.values()) listener.close();
    this.open.clear();
  }

  private serve(port: number, socket: net.Socket): void {
    socket.on('error', () => socket.destroy());
    socket.pause();
    const snapshot = this.snapshot();
    const edge = snapshot.tcpPorts.get(port);
    const backend = edge?.backend;
    if (!backend) return void socket.destroy();
    reportTcpConnectionClosed(this.events, socket, {
      accountId: edge.accountId,
      edgeId: edge.id,
      backendId: backend.id,
      endpointId: edge.endpointIds.get(String(port)),
    });
    // A source the IP restrictions (the edge's, its account's) refuse is disconnected before the agent hears of it.
    if (
      (edge.ipFilter && !edge.ipFilter.admits(clientIpOf(socket))) ||
      !this.openConnections.admit(snapshot, edge.accountId, socket, this.logger)
    )
      return void socket.destroy();
    void backend
      .forwardConn({ socket, proto: 'tcp', edgeType: '1', passthroughTls: false, clientAddr: clientAddrOf(socket) })
      .then((outcome) => outcome === 'unavailable' && socket.destroy());
  }
}
