/**
 * `tcp_connection_closed.v0`: when a public connection to a TCP or TLS endpoint (an edge's, or
 * an agent's) closes, its byte counts, times and client are handed to the dispatcher. Only
 * watched when some subscription of the account wants the event type.
 */
import type net from 'node:net';
import type { TcpConnectionClosedField } from '../../config/events/event-fields.ts';
import { rfc3339 } from '../../store/timestamps.ts';
import { clientIpOf } from '../proxy/client-addr.ts';
import type { TrafficEvents } from './traffic.ts';

export interface TcpConnectionIds {
  accountId: string;
  edgeId?: string;
  backendId?: string;
  /** The endpoint's id (`ep_…`, as `/endpoints` lists it). */
  endpointId?: string;
  /** Agent endpoints: the tunnel the connection went to, once chosen, and its session. */
  tunnelId?: string;
  sessionId?: string;
}

const type = 'tcp_connection_closed.v0';

/**
 * Reports `socket` when it closes, if the account subscribes to the event. `ids` is read then,
 * so the ids of a tunnel chosen after this call are included.
 */
export function reportTcpConnectionClosed(
  events: TrafficEvents | undefined,
  socket: net.Socket,
  ids: TcpConnectionIds,
): void {
  if (!events?.wants(ids.accountId, type)) return;
  const started = Date.now();
  socket.once('close', () => events.traffic(ids.accountId, type, () => tcpConnectionFields(socket, ids, started)));
}

export function tcpConnectionFields(
  socket: net.Socket,
  ids: TcpConnectionIds,
  startedMs: number,
): Record<TcpConnectionClosedField, unknown> {
  const ended = Date.now();
  return {
    'backend.id': ids.backendId,
    'conn.bytes_in': socket.bytesRead,
    'conn.bytes_out': socket.bytesWritten,
    'conn.client_ip': clientIpOf(socket),
    'conn.client_port': socket.remotePort,
    'conn.end_ts': rfc3339(ended),
    'conn.server_port': socket.localPort,
    'conn.start_ts': rfc3339(startedMs),
    'conn.duration_ms': ended - startedMs,
    'edge.id': ids.edgeId,
    'endpoint.id': ids.endpointId,
    'tunnel.id': ids.tunnelId,
    'tunnel.session.id': ids.sessionId,
  };
}
