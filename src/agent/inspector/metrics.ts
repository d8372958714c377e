/**
 * The agent's own Prometheus metrics (`GET /metrics` beside the inspector), in a registry of
 * its own (never prom-client's global one, so that an SDK user's registry is left alone).
 * Everything is read when scraped from what the session and the traffic layer count anyway, so
 * this can be made at the first scrape (the inspector loads prom-client then) and still count
 * what came before it.
 */
import { registerReadCounter, type CounterReading } from '../../metrics/hot.ts';
import { Gauge, createRegistry } from '../../metrics/registry.ts';
import type { AgentSession } from '../session.ts';
import type { AgentTraffic, TunnelTraffic } from '../traffic/traffic.ts';

/** `status_class` by TunnelTraffic.requestsByClass index. */
const statusClasses = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'];

export class AgentMetrics {
  readonly registry = createRegistry();

  constructor(session: AgentSession, traffic: AgentTraffic) {
    const registry = this.registry;
    // Counters are the traffic layer's and the session's own numbers; a series appears once it is above 0.
    const perTunnel = (read: (t: TunnelTraffic, tunnel: string) => CounterReading[]) =>
      function* (): Generator<CounterReading> {
        for (const [tunnel, t] of traffic.tunnels()) for (const r of read(t, tunnel)) if (r.value > 0) yield r;
      };
    registerReadCounter(
      registry,
      {
        name: 'portico_agent_http_requests_total',
        help: 'HTTP requests through the tunnels, by tunnel and status class (1xx…5xx, or "none" when the connection closed first).',
      },
      perTunnel((t, tunnel) =>
        t.requestsByClass.map((value, i) => ({ labels: { tunnel, status_class: statusClasses[i]! }, value })),
      ),
    );
    registerReadCounter(
      registry,
      {
        name: 'portico_agent_reconnects_total',
        help: 'Times the session reconnected to the edge after losing its connection.',
      },
      () => [{ labels: {}, value: session.reconnects }],
    );
    registerReadCounter(
      registry,
      {
        name: 'portico_agent_bytes_total',
        help: 'Bytes through the tunnels: direction "in" from public clients to the service, "out" back.',
      },
      perTunnel((t, tunnel) => [
        { labels: { tunnel, direction: 'in' }, value: t.bytesIn },
        { labels: { tunnel, direction: 'out' }, value: t.bytesOut },
      ]),
    );
    registerReadCounter(
      registry,
      { name: 'portico_agent_connections_total', help: 'Connections proxied to the local services, by tunnel.' },
      perTunnel((t, tunnel) => [{ labels: { tunnel }, value: t.conns.stats().total }]),
    );
    const registers = [registry];
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

  /** Prometheus text format. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
