import type net from 'node:net';
import { ErrorCode, isPorticoError } from '../../../errors/catalogue.ts';
import { splice } from '../../../splice/splice.ts';
import type { Backend, BackendDeps, ConnExchange, HttpExchange, Outcome } from '../backend.ts';
import type { Upstream } from '../upstream.ts';
import { dialStatic, type StaticTarget } from './dial.ts';
import { relayHttp } from './relay-http.ts';

/**
 * A fixed `host:port` the edge dials itself, no agent involved: HTTP requests are sent to it
 * (over TLS when `tls` is set), TCP and TLS edge connections spliced to it. An address that
 * cannot be reached leaves the exchange untouched (`unavailable`, its code in `ex.failure`),
 * so a failover backend tries the next; on its own the client gets 502 ERR_NGROK_8012.
 * Upgraded connections (WebSocket, websocket_tcp_converter) get a dialed socket of their own.
 */
export class StaticBackend implements Backend {
  readonly kind = 'static';
  readonly children = [];

  constructor(
    readonly id: string,
    private readonly target: StaticTarget,
    private readonly deps: BackendDeps,
  ) {}

  private readonly upstream: Upstream = {
    // Dialed and connected, the address dropping the connection is the service's doing.
    lostCode: ErrorCode.ERR_EDGE_UPSTREAM_REFUSED,
    open: async (conn) => {
      try {
        return await dialStatic(this.target, this.deps.upstream, conn.proto === 'tcp' ? undefined : 'http/1.1');
      } catch (err) {
        this.unreachable(err);
        throw err;
      }
    },
  };

  upstreams(): Iterable<Upstream> {
    return [this.upstream];
  }

  /**
   * Over a kept connection when one is idle, else a new one; a request without a body that a
   * kept connection dropped before any answer goes once more on a connection dialed for it.
   */
  async forwardHttp(ex: HttpExchange): Promise<Outcome> {
    ex.tunnel = undefined;
    const timeoutMs = this.deps.streamPools.upstreamHeaderTimeoutMs;
    const kept = { agent: this.deps.keptConnections.for(this.id, this.target) };
    let relayed = await relayHttp(kept, ex, timeoutMs);
    if (relayed === 'stale') {
      const dial = () => dialStatic(this.target, this.deps.upstream, 'http/1.1');
      relayed = await relayHttp({ dial }, ex, timeoutMs);
    }
    if (relayed === 'served' || relayed === 'unavailable') return relayed;
    // Nothing was sent to the client: a failover may try its next child.
    const err = relayed === 'stale' ? undefined : relayed.unreachable;
    if (err) this.unreachable(err);
    ex.failure = isPorticoError(err) ? err.code : ErrorCode.ERR_EDGE_UPSTREAM_REFUSED;
    return 'unavailable';
  }

  async forwardConn(ex: ConnExchange): Promise<Outcome> {
    const upstream = await this.dial();
    if (!upstream) return 'unavailable';
    if (ex.socket.destroyed) {
      upstream.destroy();
      return 'served';
    }
    if (ex.head?.length) upstream.write(ex.head);
    splice(ex.socket, upstream);
    ex.socket.resume();
    return 'served';
  }

  /** A connected socket for a TCP or TLS edge connection, or undefined (the reason logged). */
  private async dial(): Promise<net.Socket | undefined> {
    try {
      return await dialStatic(this.target, this.deps.upstream);
    } catch (err) {
      this.unreachable(err);
      return undefined;
    }
  }

  private unreachable(err: unknown): void {
    this.deps.logger.info('static backend address unreachable', { backend: this.id, err });
  }
}
