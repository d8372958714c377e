import { forwardHttpToTunnel } from '../../proxy/forward-http.ts';
import { splice } from '../../../splice/splice.ts';
import type { Tunnel } from '../../tunnels/tunnel.ts';
import type { Backend, BackendDeps, ConnExchange, HttpExchange, Outcome } from '../backend.ts';
import { tunnelUpstream, type Upstream } from '../upstream.ts';

/**
 * Every live labeled tunnel of the account whose labels include all of `labels`, chosen
 * round-robin per request or connection. Agents joining or leaving count at once: the set is
 * looked up in the registry each time. A tunnel that cannot serve is skipped for the next.
 */
export class TunnelGroupBackend implements Backend {
  readonly kind = 'tunnel_group';
  readonly children = [];
  private next = 0;

  constructor(
    readonly id: string,
    private readonly accountId: string,
    private readonly labels: Record<string, string>,
    private readonly deps: BackendDeps,
  ) {}

  /** Matching tunnels as of registry version `version`; searched again only after a change. */
  private matching: { version: number; tunnels: Tunnel[] } = { version: -1, tunnels: [] };

  /** The live tunnels in the order to try them for one exchange. */
  private candidates(): Tunnel[] {
    const { registry } = this.deps;
    if (this.matching.version !== registry.labeledVersion) {
      this.matching = {
        version: registry.labeledVersion,
        tunnels: registry.labeledTunnels(this.labels, this.accountId),
      };
    }
    const live = this.matching.tunnels.filter((t) => !t.session.mux.isClosed);
    if (live.length < 2) return live;
    const start = this.next++ % live.length;
    return [...live.slice(start), ...live.slice(0, start)];
  }

  upstreams(): Iterable<Upstream> {
    return this.candidates().map(tunnelUpstream);
  }

  async forwardHttp(ex: HttpExchange): Promise<Outcome> {
    for (const tunnel of this.candidates()) {
      const outcome = await forwardHttpToTunnel(tunnel, ex, this.deps.streamPools, { edgeType: '3', mayFail: true });
      if (outcome === 'served') return outcome;
    }
    return 'unavailable';
  }

  async forwardConn(ex: ConnExchange): Promise<Outcome> {
    for (const tunnel of this.candidates()) {
      try {
        const stream = tunnel.openStream({
          clientAddr: ex.clientAddr,
          proto: ex.proto,
          passthroughTls: ex.passthroughTls,
          edgeType: ex.edgeType,
        });
        if (ex.head?.length) stream.write(ex.head);
        splice(ex.socket, stream);
        ex.socket.resume();
        return 'served';
      } catch (err) {
        this.deps.logger.debug('tunnel could not take a connection', { err, tunnel: tunnel.id });
      }
    }
    return 'unavailable';
  }
}
