import net from 'node:net';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { ListenAddr } from '../config.ts';

/** Binds `server` to `addr` and resolves with the port actually bound (port 0 resolved). */
export function listen(server: net.Server, addr: ListenAddr, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new PorticoError(
          ErrorCode.ERR_LISTEN,
          `${what} on ${addr.host || '*'}:${addr.port}: ${err.code ?? err.message}`,
          { cause: err },
        ),
      );
    server.once('error', onError);
    server.listen({ port: addr.port, host: addr.host || undefined }, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/**
 * Fails fast, before any slow start-up work, when a fixed port of `addrs` is taken: binds
 * each one for a moment and lets it go. Port 0 needs no check.
 */
export async function checkPortsFree(addrs: Array<{ addr: ListenAddr; what: string }>): Promise<void> {
  for (const { addr, what } of addrs) {
    if (addr.port === 0) continue;
    const probe = net.createServer();
    await listen(probe, addr, what);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  }
}

const connections = new WeakMap<net.Server, Set<net.Socket>>();

/** Remembers the server's open connections so `closeServer` can end them. */
export function trackConnections<S extends net.Server>(server: S): S {
  const open = new Set<net.Socket>();
  connections.set(server, open);
  server.on('connection', (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return server;
}

/** Connections `server` holds now (it must have been passed to trackConnections). */
export function connectionCount(server: net.Server): number {
  return connections.get(server)?.size ?? 0;
}

/** Stops accepting and destroys every connection the server still holds. */
export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of connections.get(server) ?? []) socket.destroy();
  });
}
