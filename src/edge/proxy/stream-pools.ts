import type { Tunnel } from '../tunnels/tunnel.ts';
import { TunnelConnection, type ConnectionOptions, type ConnectionOwner } from './tunnel-http/tunnel-connection.ts';

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

/** The idle connections to one tunnel for one kind of request, most recently used last. */
class Pool implements ConnectionOwner {
  private readonly idleOnes: TunnelConnection[] = [];

  constructor(
    private readonly tunnel: Tunnel,
    /** What the next stream opened announces; its clientAddr is the latest request's. */
    readonly origin: StreamOrigin,
    private readonly options: ConnectionOptions,
  ) {}

  /** An idle connection, or a new one on a new stream (throws when the session has no room). */
  take(fresh: boolean): TunnelConnection {
    if (!fresh) {
      const kept = this.idleOnes.pop();
      if (kept) return kept;
    }
    return new TunnelConnection(this.tunnel.openStream({ ...this.origin }), this, this.options);
  }

  idle(conn: TunnelConnection, ms: number): void {
    if (conn.isClosed) return;
    this.idleOnes.push(conn);
    conn.rest(ms);
  }

  gone(conn: TunnelConnection): void {
    const at = this.idleOnes.indexOf(conn);
    if (at >= 0) this.idleOnes.splice(at, 1);
  }

  close(): void {
    for (const conn of [...this.idleOnes]) conn.close();
  }
}

/**
 * Keep-alive HTTP/1.1 connections over proxy streams, per tunnel (and kind of request): the edge
 * writes requests onto the tunnel and parses the agent's responses (tunnel-http/). A stream
 * opens when every open one is busy and is kept while the service's connection behind it is (see
 * idleMs); a request waits for none.
 */
export class StreamPools {
  private readonly pools = new WeakMap<Tunnel, Map<string, Pool>>();
  readonly upstreamHeaderTimeoutMs: number;

  constructor(options: StreamPoolsOptions = {}) {
    this.upstreamHeaderTimeoutMs = options.upstreamHeaderTimeoutMs ?? 100_000;
  }

  /**
   * A connection for a request to `tunnel` announced as `proto` (and, for labeled tunnels, an
   * edge type): an idle one, or (`fresh`, or none idle) one on a new stream, which announces
   * `clientAddr` to the agent; a reused one still carries the address of the request it was
   * opened for, as a kept-alive connection would. Throws when the session has no room for a
   * stream (ERR_MUX_STREAMS_EXHAUSTED) or is gone.
   */
  connection(
    tunnel: Tunnel,
    proto: 'http' | 'https',
    edgeType: '' | '3',
    clientAddr: string,
    fresh = false,
  ): TunnelConnection {
    let byKind = this.pools.get(tunnel);
    if (!byKind) {
      this.pools.set(tunnel, (byKind = new Map<string, Pool>()));
      const pools = byKind;
      tunnel.session.mux.once('close', () => pools.forEach((pool) => pool.close()));
    }
    let pool = byKind.get(proto + edgeType);
    if (!pool) {
      const origin: StreamOrigin = { clientAddr, proto, passthroughTls: false, edgeType };
      const options = { headersTimeoutMs: this.upstreamHeaderTimeoutMs, idleMs, maxIdleMs };
      byKind.set(proto + edgeType, (pool = new Pool(tunnel, origin, options)));
    }
    pool.origin.clientAddr = clientAddr;
    return pool.take(fresh);
  }
}
