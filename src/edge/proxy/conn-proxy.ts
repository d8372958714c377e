import type net from 'node:net';
import type { Logger } from '../../log/logger.ts';
import type { EndpointGroup } from '../tunnels/endpoint-group.ts';
import { splice } from '../../splice/splice.ts';
import { clientAddrOf, clientIpOf } from './client-addr.ts';
import type { TcpConnectionIds } from '../events/tcp-connection-closed.ts';

/** Milliseconds a connection waits for a reconnecting agent before it is closed. */
const reconnectWaitMs = 5000;

/**
 * Carries one raw public connection (a TCP endpoint, or TLS passed through by SNI) over a new
 * proxy stream to a tunnel of `group`. `head` holds bytes already read (the ClientHello);
 * `ids`, when given, gets the endpoint, tunnel and session the connection went to.
 */
export async function proxyConnection(
  group: EndpointGroup,
  socket: net.Socket,
  proto: 'tcp' | 'tls',
  logger: Logger,
  head?: Buffer,
  ids?: TcpConnectionIds,
): Promise<void> {
  socket.on('error', () => socket.destroy());
  socket.pause();
  const tunnel = await group.waitForTunnel(reconnectWaitMs);
  if (!tunnel || socket.destroyed) return void socket.destroy();
  // The agent's IP restriction: a refused source is disconnected before a byte reaches the agent.
  if (tunnel.ipFilter && !tunnel.ipFilter.admits(clientIpOf(socket))) return void socket.destroy();
  if (ids) Object.assign(ids, { endpointId: tunnel.endpointId, tunnelId: tunnel.id, sessionId: tunnel.session.id });
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
