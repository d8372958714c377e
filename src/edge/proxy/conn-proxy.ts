import type net from 'node:net';
import type { Logger } from '../../log/logger.ts';
import type { EndpointGroup } from '../tunnels/endpoint-group.ts';
import { splice } from '../../splice/splice.ts';
import { clientAddrOf, clientIpOf } from './client-addr.ts';
import type { TcpConnectionIds } from '../events/tcp-connection-closed.ts';

/** Milliseconds a connection waits for a reconnecting agent before it is closed. */
const reconnectWaitMs = 5000;

/** How one raw connection is carried. */
export interface ConnectionRoute {
  proto: 'tcp' | 'tls';
  logger: Logger;
  /** Bytes already read (the ClientHello of TLS passed through). */
  head?: Buffer;
  /** Filled with the endpoint, tunnel and session the connection went to (its closing event). */
  ids?: TcpConnectionIds;
}

/**
 * Carries one raw public connection (a TCP endpoint, or TLS passed through by SNI) over a new
 * proxy stream to a tunnel of `group`.
 */
export async function proxyConnection(
  group: EndpointGroup,
  socket: net.Socket,
  { proto, logger, head, ids }: ConnectionRoute,
): Promise<void> {
  socket.on('error', () => socket.destroy());
  socket.pause();
  const tunnel = await group.waitForTunnel(reconnectWaitMs);
  if (!tunnel || socket.destroyed) return void socket.destroy();
  if (ids) Object.assign(ids, { endpointId: tunnel.endpointId, tunnelId: tunnel.id, sessionId: tunnel.session.id });
  // The agent's IP restriction: a refused source is disconnected before a byte reaches the agent.
  if (tunnel.ipFilter && !tunnel.ipFilter.admits(clientIpOf(socket))) return void socket.destroy();
  const clientAddr = clientAddrOf(socket);
  try {
    const stream = tunnel.openStream({ clientAddr, proto, passthroughTls: proto === 'tls' });
    if (head?.length) stream.write(head);
    splice(socket, stream);
    socket.resume();
  } catch (err) {
    logger.debug('could not open a proxy stream', { err, tunnel: tunnel.id });
    socket.destroy();
  }
}
