/**
 * The API address, with the API's code (Fastify, its schemas, its resources) loaded by the
 * first connection rather than at start (issue 13): an edge whose API nobody calls keeps
 * neither its start-up time nor its memory. Connections wait, unread, while it loads, then are
 * handed to the API's HTTP server, whose timeouts apply from there. A failed load closes the
 * connections that waited for it and is tried again by the next one.
 */
import type http from 'node:http';
import net from 'node:net';
import type { Logger } from '../log/logger.ts';

export interface LazyApi {
  /** The listening side: bind it; it hands every connection to the API once loaded. */
  readonly server: net.Server;
  /** The API's HTTP server, once loaded. */
  readonly loaded: http.Server | undefined;
}

export function lazyApi(load: () => Promise<http.Server>, maxConnections: number, logger: Logger): LazyApi {
  const server = net.createServer({ pauseOnConnect: true });
  server.maxConnections = maxConnections;
  let loading: Promise<http.Server> | undefined;
  let loaded: http.Server | undefined;
  const api = () =>
    (loading ??= load().then(
      (http) => {
        // It never listens itself; Node starts checking its header and request timeouts on 'listening'.
        http.emit('listening');
        return (loaded = http);
      },
      (err: unknown) => {
        loading = undefined;
        logger.error('the API could not be loaded', { err });
        throw err;
      },
    ));
  server.on('connection', (socket: net.Socket) => {
    socket.on('error', () => socket.destroy());
    api().then(
      (http) => {
        if (socket.destroyed) return;
        http.emit('connection', socket);
        socket.resume();
      },
      () => socket.destroy(),
    );
  });
  return {
    server,
    get loaded() {
      return loaded;
    },
  };
}
