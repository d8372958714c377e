/**
 * The edge process's metrics, on a registry of its own (metrics/registry.ts). The data plane
 * never sees prom-client: it reports through RequestObserver (proxy/observe.ts) and
 * ModuleDecisions (pipeline/decisions.ts), and live counts are read when Prometheus scrapes.
 * Labels are ids and closed lists (status class, module, decision), never hostnames, paths or
 * client addresses, so the number of series is bounded by the configuration.
 */
import type { HttpModuleName } from '../config/modules/plans.ts';
import type { ModuleDecision, ModuleDecisions } from '../edge/pipeline/decisions.ts';
import type { RequestObserver, RequestRecord } from '../edge/proxy/observe.ts';
import {
  HotCounter,
  HotHistogram,
  registerReadCounter,
  type CounterSeries,
  type HistogramSeries,
} from '../metrics/hot.ts';
import type * as Registries from '../metrics/registry.ts';
import type { Registry, RegistryOptions } from '../metrics/registry.ts';
import { porticoVersion } from '../version.ts';

/** Seconds; from a fast local answer to a slow upstream. */
const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Status classes by hundreds digit; 0 is a request the client left before any answer. */
const statusClasses = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** The series of one edge route (or of agent endpoints, or of unrouted requests), resolved once. */
interface RouteSeries {
  /** By status class, as `statusClasses`. */
  requests: CounterSeries[];
  latency: HistogramSeries;
  bytesIn: CounterSeries;
  bytesOut: CounterSeries;
}

/** What the event dispatcher reports: events waiting to be delivered, and events dropped so far. */
export interface EventQueueStats {
  depth: number;
  drops: number;
}

/** Live counts read at scrape time. */
export interface TunnelCounts {
  sessions(): number;
  tunnels(): number;
  streams(): number;
}

/** prom-client's metric classes and a registry maker (metrics/registry.ts), loaded with the first scrape. */
type Prom = typeof Registries;

export class EdgeMetrics {
  // Per request: plain additions on series resolved once per route (metrics/hot.ts).
  readonly #requests = new HotCounter({
    name: 'portico_http_requests_total',
    help: 'Public HTTP requests answered, by edge and route id (empty for agent endpoints) and status class',
    labelNames: ['edge', 'route', 'status'],
  });
  readonly #latency = new HotHistogram({
    name: 'portico_http_request_duration_seconds',
    help: 'Seconds from a request head to the end of its response',
    labelNames: ['edge', 'route'],
    buckets: latencyBuckets,
  });
  readonly #bytesIn = new HotCounter({
    name: 'portico_http_received_bytes_total',
    help: "Bytes read from clients' connections for their requests, heads included",
    labelNames: ['edge', 'route'],
  });
  readonly #bytesOut = new HotCounter({
    name: 'portico_http_sent_bytes_total',
    help: "Bytes written to clients' connections for responses, heads included",
    labelNames: ['edge', 'route'],
  });
  readonly #decisions = new HotCounter({
    name: 'portico_module_decisions_total',
    help: 'What traffic modules decided: denials, circuit breaker openings and refusals, failed webhook signatures, logins',
    labelNames: ['module', 'decision'],
  });
  readonly #acmeOrders = new HotCounter({
    name: 'portico_acme_orders_total',
    help: 'ACME certificate orders, by result (issued or failed)',
    labelNames: ['result'],
  });
  readonly #series = new Map<string, RouteSeries>();
  #eventQueue: (() => EventQueueStats) | undefined;
  // What the registry exports, kept until it is made and applied to it from then on.
  readonly #exports: Array<(registry: Registry, prom: Prom) => void> = [];
  #registry: Promise<Registry> | undefined;
  #made: { registry: Registry; prom: Prom } | undefined;

  /**
   * Everything is counted from the start, as plain numbers; prom-client and the registry are
   * only loaded and made with the first scrape (`registry()`), so an edge nobody scrapes never
   * holds them. `registry` makes the process metrics unless `processMetrics` is false.
   */
  constructor(private readonly registryOptions: RegistryOptions = {}) {
    for (const hot of [this.#requests, this.#latency, this.#bytesIn, this.#bytesOut, this.#decisions, this.#acmeOrders])
      this.#export((registry) => hot.register(registry));
    this.#export((registry, prom) =>
      new prom.Gauge({
        name: 'portico_info',
        help: 'The running Portico version',
        labelNames: ['version'],
        registers: [registry],
      })
        .labels(porticoVersion)
        .set(1),
    );
  }

  /** The registry Prometheus scrapes, made (and prom-client loaded) on the first call. */
  registry(): Promise<Registry> {
    return (this.#registry ??= import('../metrics/registry.ts').then((prom) => {
      const registry = prom.createRegistry(this.registryOptions);
      for (const define of this.#exports) define(registry, prom);
      this.#made = { registry, prom };
      return registry;
    }));
  }

  /** Counts requests, latency and bytes (HttpProxyOptions.observer). */
  readonly requests: RequestObserver = {
    requestDone: (r: RequestRecord) => {
      const series = this.#seriesOf(r.edgeId ?? '', r.routeId ?? '');
      series.requests[r.status >= 100 && r.status < 600 ? Math.floor(r.status / 100) : 0]!.value++;
      series.latency.observe(r.durationMs / 1000);
      series.bytesIn.value += r.bytesIn;
      series.bytesOut.value += r.bytesOut;
    },
  };

  /** Counts module decisions (ModuleDeps.decisions); each counter is resolved once, at build. */
  readonly decisions: ModuleDecisions = {
    counter: (module: HttpModuleName, decision: ModuleDecision) => {
      const series = this.#decisions.series({ module, decision });
      return () => series.value++;
    },
  };

  /** Counts an ACME order's result (AcmeManagerOptions.onOrder). */
  readonly acmeOrder = (result: 'issued' | 'failed'): void => void this.#acmeOrders.series({ result }).value++;

  /** Gauges of live tunnel sessions, tunnels and open streams, read at scrape time. */
  watchTunnels(counts: TunnelCounts): void {
    this.#gauge('portico_tunnel_sessions', 'Tunnel sessions (authenticated agent connections) open', counts.sessions);
    this.#gauge('portico_tunnels', 'Tunnels bound (agent endpoints and labeled tunnels)', counts.tunnels);
    this.#gauge('portico_streams', 'Streams open on all tunnel sessions', counts.streams);
  }

  /** Gauges of ACME-managed domains and of those whose last order failed. */
  watchAcme(domains: () => { managed: number; failing: number }): void {
    this.#gauge('portico_acme_domains', 'Reserved domains with a managed (ACME) certificate', () => domains().managed);
    this.#gauge(
      'portico_acme_domains_failing',
      'Managed domains whose last ACME order failed',
      () => domains().failing,
    );
  }

  /** When each certificate attached to a reserved domain expires. */
  watchCertificates(expiries: () => Iterable<{ domain: string; notAfter: number }>): void {
    this.#export(
      (registry, prom) =>
        new prom.Gauge({
          name: 'portico_certificate_expiry_timestamp_seconds',
          help: 'Unix time a certificate attached to a reserved domain expires, by reserved domain',
          labelNames: ['domain'],
          registers: [registry],
          collect() {
            this.reset();
            for (const { domain, notAfter } of expiries()) this.labels(domain).set(notAfter);
          },
        }),
    );
  }

  /**
   * The event dispatcher's queue: `stats` is read at every scrape. A later call replaces the
   * source; the series appear from the first call on.
   */
  registerEventQueueStats(stats: () => EventQueueStats): void {
    const first = this.#eventQueue === undefined;
    this.#eventQueue = stats;
    if (!first) return;
    const read = () => this.#eventQueue!();
    this.#gauge('portico_event_queue_depth', 'Events waiting to be delivered', () => read().depth);
    this.#export((registry) =>
      registerReadCounter(
        registry,
        { name: 'portico_event_queue_dropped_total', help: 'Events dropped because a queue was full' },
        () => [{ labels: {}, value: read().drops }],
      ),
    );
  }

  #gauge(name: string, help: string, value: () => number): void {
    this.#export(
      (registry, prom) =>
        new prom.Gauge({
          name,
          help,
          registers: [registry],
          collect() {
            this.set(value());
          },
        }),
    );
  }

  /** Exports a metric on the registry: now if it is made, else when it is. */
  #export(define: (registry: Registry, prom: Prom) => void): void {
    this.#exports.push(define);
    if (this.#made) define(this.#made.registry, this.#made.prom);
  }

  #seriesOf(edge: string, route: string): RouteSeries {
    const key = `${edge} ${route}`;
    let series = this.#series.get(key);
    if (!series) {
      series = {
        requests: statusClasses.map((status) => this.#requests.series({ edge, route, status })),
        latency: this.#latency.series({ edge, route }),
        bytesIn: this.#bytesIn.series({ edge, route }),
        bytesOut: this.#bytesOut.series({ edge, route }),
      };
      this.#series.set(key, series);
    }
    return series;
  }
}
