/**
 * The agent's own Prometheus metrics (`GET /metrics` beside the inspector), in a registry of
 * its own (never prom-client's global one, so that an SDK user's registry is left alone).
 * Counters that the traffic layer already keeps are read when scraped, not on every request.
 */
import { Counter, Gauge, createRegistry } from '../../metrics/registry.ts';
import type { AgentSession } from '../session.ts';
import type { AgentTraffic } from '../traffic/traffic.ts';

export class AgentMetrics {
  readonly registry = createRegistry();

  constructor(session: AgentSession, traffic: AgentTraffic) {
    const registers = [this.registry];
    const requests = new Counter({
      name: 'portico_agent_http_requests_total',
      help: 'HTTP requests through the tunnels, by tunnel and status class (1xx…5xx, or "none" when the connection closed first).',
      labelNames: ['tunnel', 'status_class'] as const,
      registers,
    });
    traffic.on('request', (r) =>
      requests.inc({ tunnel: r.tunnel, status_class: r.status ? `${Math.floor(r.status / 100)}xx` : 'none' }),
    );
    const reconnects = new Counter({
      name: 'portico_agent_reconnects_total',
      help: 'Times the session reconnected to the edge after losing its connection.',
      registers,
    });
    session.on('reconnected', () => reconnects.inc());
    new Gauge({
      name: 'portico_agent_tunnels',
      help: 'Tunnels bound now.',
      registers,
      collect() {
        this.set(session.tunnels.length);
      },
    });
    new Gauge({
      name: 'portico_agent_session_connected',
      help: '1 while the session is connected to the edge, else 0.',
      registers,
      collect() {
        this.set(session.state === 'connected' ? 1 : 0);
      },
    });
    this.#fromTraffic(traffic);
  }

  /** Prometheus text format. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #fromTraffic(traffic: AgentTraffic): void {
    const registers = [this.registry];
    // Counters move by the difference since the last scrape, so they stay monotonic.
    const reported = new Map<string, number>();
    const catchUp = (counter: Counter<string>, key: string, labels: Record<string, string>, now: number) => {
      const before = reported.get(key) ?? 0;
      if (now > before) counter.inc(labels, now - before);
      reported.set(key, now);
    };
    new Counter({
      name: 'portico_agent_bytes_total',
      help: 'Bytes through the tunnels: direction "in" from public clients to the service, "out" back.',
      labelNames: ['tunnel', 'direction'] as const,
      registers,
      collect() {
        for (const [tunnel, t] of traffic.tunnels()) {
          catchUp(this, `bytes in ${tunnel}`, { tunnel, direction: 'in' }, t.bytesIn);
          catchUp(this, `bytes out ${tunnel}`, { tunnel, direction: 'out' }, t.bytesOut);
        }
      },
    });
    new Counter({
      name: 'portico_agent_connections_total',
      help: 'Connections proxied to the local services, by tunnel.',
      labelNames: ['tunnel'] as const,
      registers,
      collect() {
        for (const [tunnel, t] of traffic.tunnels())
          catchUp(this, `conns ${tunnel}`, { tunnel }, t.conns.stats().total);
      },
    });
    new Gauge({
      name: 'portico_agent_open_connections',
      help: 'Connections open now, by tunnel.',
      labelNames: ['tunnel'] as const,
      registers,
      collect() {
        for (const [tunnel, t] of traffic.tunnels()) this.set({ tunnel }, t.conns.stats().open);
      },
    });
  }
}
