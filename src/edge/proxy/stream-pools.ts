import type { Client, Dispatcher, Pool } from 'undici';
import { requireOnFirstUse } from '../../packages/on-first-use.ts';
import type { Tunnel } from '../tunnels/tunnel.ts';
import { asSocket } from './tunnel-socket.ts';

/**
 * undici's HTTP/1.1 client, loaded with the first request an edge forwards to a tunnel. Only
 * its connection pool and client are taken (not its fetch and WebSocket): both write requests
 * and parse responses on any Duplex a connector hands them, here proxy streams. They are
 * required by their paths inside the package (it has no exports map); its version is pinned.
 */
const undiciPool = requireOnFirstUse<typeof Pool>('undici/lib/dispatcher/pool.js');
const undiciClient = requireOnFirstUse<typeof Client>('undici/lib/dispatcher/client.js');

/** The origin undici is given; requests carry the client's own Host header. */
const tunnelOrigin = 'http://tunnel';

/**
 * How long an idle tunnel stream is kept for the next request when the agent's response said
 * nothing of its keep-alive. A `Keep-Alive: timeout=N` from the service (its connection behind
 * the stream) is followed instead, less two seconds, up to `maxIdleMs`.
 */
const idleMs = 60_000;
const maxIdleMs = 600_000;

export interface StreamPoolsOptions {
  /** EdgeTimeouts.upstreamHeader. Default 100 000. */
  upstreamHeaderTimeoutMs?: number;
}

type StreamOrigin = Parameters<Tunnel['openStream']>[0];

interface PoolEntry {
  pool: Pool;
  /** What the next stream the pool opens announces; its clientAddr is the latest request's. */
  origin: StreamOrigin;
}

/**
 * One keep-alive undici pool per tunnel (and kind of request), whose connections are proxy
 * streams: undici writes requests onto the tunnel and parses the agent's responses, so the
 * edge has no HTTP codec of its own. A stream opens when every open one is busy and is kept
 * while the service's connection behind it is (see idleMs); a request waits for none.
 */
export class StreamPools {
  private readonly pools = new WeakMap<Tunnel, Map<string, PoolEntry>>();
  readonly upstreamHeaderTimeoutMs: number;

  constructor(options: StreamPoolsOptions = {}) {
    this.upstreamHeaderTimeoutMs = options.upstreamHeaderTimeoutMs ?? 100_000;
  }

  /**
   * The dispatcher for a request to `tunnel` announced as `proto` (and, for labeled tunnels, an
   * edge type). A stream it opens for this request announces `clientAddr` to the agent; a
   * reused one still carries the address of the request it was opened for, as a kept-alive
   * connection would.
   */
  for(tunnel: Tunnel, proto: 'http' | 'https', edgeType: '' | '3', clientAddr: string): Dispatcher {
    let byKind = this.pools.get(tunnel);
    if (!byKind) this.pools.set(tunnel, (byKind = new Map<string, PoolEntry>()));
    let entry = byKind.get(proto + edgeType);
    if (!entry) {
      const origin: StreamOrigin = { clientAddr, proto, passthroughTls: false, edgeType };
      const pool = new (undiciPool())(tunnelOrigin, {
        ...this.#clientOptions(),
        connect: connector(tunnel, () => ({ ...origin })),
      });
      tunnel.session.mux.once('close', () => void pool.destroy().catch(() => {}));
      byKind.set(proto + edgeType, (entry = { pool, origin }));
    }
    entry.origin.clientAddr = clientAddr;
    return entry.pool;
  }

  /**
   * A dispatcher with one new stream, for a single request (a retry after a kept stream
   * failed): it closes once that request is done.
   */
  fresh(tunnel: Tunnel, proto: 'http' | 'https', edgeType: '' | '3', clientAddr: string): Dispatcher {
    const client = new (undiciClient())(tunnelOrigin, {
      ...this.#clientOptions(),
      connect: connector(tunnel, () => ({ clientAddr, proto, passthroughTls: false, edgeType })),
    });
    return {
      dispatch: (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
        const accepted = client.dispatch(options, handler);
        void client.close().catch(() => {});
        return accepted;
      },
    } as Dispatcher;
  }

  #clientOptions() {
    return {
      pipelining: 1,
      keepAliveTimeout: idleMs,
      keepAliveMaxTimeout: maxIdleMs,
      // Counted from the end of the request's body, or from the last write of an upload the
      // tunnel stopped taking: ERR_NGROK_3008 (errorCodeFor).
      headersTimeout: this.upstreamHeaderTimeoutMs,
      // A response may rest between chunks (server-sent events, long polls): never cut for it.
      bodyTimeout: 0,
    };
  }
}

/**
 * undici's connector: a new proxy stream to `tunnel`, handed over on the next tick (undici
 * cannot take a connection in the same turn it asked for it). Once the agent ends a stream (its
 * local service closed an idle keep-alive connection), it can carry no further request: it is
 * ended here too, so undici closes it as it would a TCP socket without half-open.
 */
function connector(tunnel: Tunnel, target: () => StreamOrigin) {
  return (_options: object, done: (err: Error | null, socket: never) => void) => {
    try {
      const stream = asSocket(tunnel.openStream(target()));
      stream.once('end', () => stream.end());
      process.nextTick(done, null, stream);
    } catch (err) {
      // A session without room for another stream: the request fails with this error.
      process.nextTick(done, err, null);
    }
  };
}
