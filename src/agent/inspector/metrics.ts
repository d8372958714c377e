/**
 * The agent's own Prometheus metrics (`GET /metrics` beside the inspector), in a registry of
 * its own (never prom-client's global one, so that an SDK user's registry is left alone).
 * Everything is read when scraped from what the session and the traffic layer count anyway, so
 * this can be made at the first scrape (the inspector loads prom-client then) and still count
 * what came before it.
 */
import { Counter, Gauge, createRegistry } from '../../metrics/registry.ts';
import type { AgentSession } from '../session.ts';
import type { AgentTraffic } from '../traffic/traffic.ts';

/** `status_class` by TunnelTraffic.requestsByClass index. */
const statusClasses = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'];

export class AgentMetrics {
  readonly registry = createRegistry();

  constructor(session: AgentSession, traffic: AgentTraffic) {
    const registers = [this.registry];
    const catchUp = this.#catchUp;
    new Counter({
      name: 'portico_agent_http_requests_total',
      help: 'HTTP requests through the tunnels, by tunnel and status class (1xx…5xx, or "none" when the connection closed first).',
      labelNames: ['tunnel', 'status_class'] as const,
      registers,
      collect() {
        for (const [tunnel, t] of traffic.tunnels())
          t.requestsByClass.forEach((n, i) => {
            const status_class = statusClasses[i]!;
            if (n > 0) catchUp(this, `requests ${status_class} ${tunnel}`, { tunnel, status_class }, n);
          });
      },
    });
    new Counter({
      name: 'portico_agent_reconnects_total',
      help: 'Times the session reconnected to the edge after losing its connection.',
      registers,
      collect() {
        catchUp(this, 'reconnects', {}, session.reconnects);
      },
    });
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

  // Counters move by the difference since the last scrape, so they stay monotonic.
  readonly #reported = new Map<string, number>();
  readonly #catchUp = (counter: Counter<string>, key: string, labels: Record<string, string>, now: number) => {
    const before = this.#reported.get(key) ?? 0;
    if (now > before) counter.inc(labels, now - before);
    this.#reported.set(key, now);
  };

  /** Prometheus text format. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #fromTraffic(traffic: AgentTraffic): void {
    const registers = [this.registry];
    const catchUp = this.#catchUp;
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
