/**
 * `tcp_connection_closed.v0`: when a public connection to a TCP or TLS endpoint (an edge's, or
 * an agent's) closes, its byte counts, times and client are handed to the dispatcher. Only
 * watched when some subscription of the account wants the event type.
 */
import type net from 'node:net';
import type { TcpConnectionClosedField } from '../../config/events/event-fields.ts';
import { rfc3339 } from '../../store/timestamps.ts';
import { connAddressesOf, type ConnAddresses } from '../proxy/client-addr.ts';
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
  const opened = Date.now();
  const addresses = connAddressesOf(socket);
  socket.once('close', () =>
    events.traffic(ids.accountId, type, () => tcpConnectionFields(socket, ids, opened, addresses)),
  );
}

function tcpConnectionFields(
  socket: net.Socket,
  ids: TcpConnectionIds,
  opened: number,
  addresses: ConnAddresses,
): Record<TcpConnectionClosedField, unknown> {
  const ended = Date.now();
  return {
    'backend.id': ids.backendId,
    'conn.bytes_in': socket.bytesRead,
    'conn.bytes_out': socket.bytesWritten,
    'conn.client_ip': addresses.clientIp,
    'conn.client_port': addresses.clientPort,
    'conn.end_ts': rfc3339(ended),
    'conn.server_port': addresses.serverPort,
    'conn.start_ts': rfc3339(opened),
    'conn.duration_ms': ended - opened,
    'edge.id': ids.edgeId,
    'endpoint.id': ids.endpointId,
    'tunnel.id': ids.tunnelId,
    'tunnel.session.id': ids.sessionId,
  };
}
