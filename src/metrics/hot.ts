/**
 * Metrics for the request path: plain numbers per label set, handed to the registry when it is
 * scraped. prom-client's own `labels(…).inc()` hashes the label values on every call; here a
 * caller resolves a series once (per route, say) and then only adds to numbers.
 */
import { Counter, type Registry } from 'prom-client';

type Labels<L extends string> = Record<L, string>;

/** A counter's series: add to `value` (never subtract). */
export interface CounterSeries {
  value: number;
}

/** A histogram's series: `observe(v)` counts one value. */
export interface HistogramSeries {
  observe(value: number): void;
}

const keyOf = (names: readonly string[], labels: Record<string, string>) =>
  names.map((n) => labels[n] ?? '').join('\u0000');

/** A counter whose series live as plain numbers until a scrape. */
export class HotCounter<L extends string> {
  readonly #series = new Map<string, { labels: Labels<L>; series: CounterSeries }>();
  readonly #names: readonly L[];

  constructor(config: { name: string; help: string; labelNames: readonly L[]; registers: Registry[] }) {
    this.#names = config.labelNames;
    const all = this.#series;
    new Counter<L>({
      ...config,
      collect() {
        this.reset();
        for (const { labels, series } of all.values()) if (series.value > 0) this.inc(labels, series.value);
      },
    });
  }

  /** The series of `labels`, made on first use; keep it and add to its value. */
  series(labels: Labels<L>): CounterSeries {
    const key = keyOf(this.#names, labels);
    let entry = this.#series.get(key);
    if (!entry) this.#series.set(key, (entry = { labels, series: { value: 0 } }));
    return entry.series;
  }
}

/** One label set of a HotHistogram: counts per bucket (not cumulative), their sum and count. */
class Buckets implements HistogramSeries {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/** A histogram whose series live as plain numbers until a scrape; exported as prom-client's Histogram is. */
export class HotHistogram<L extends string> {
  readonly #series = new Map<string, { labels: Labels<L>; buckets: Buckets }>();

  constructor(
    private readonly config: {
      name: string;
      help: string;
      labelNames: readonly L[];
      /** Upper bounds, ascending; `+Inf` is added. */
      buckets: readonly number[];
      registers: Registry[];
    },
  ) {
    const metric = {
      name: config.name,
      help: config.help,
      type: 'histogram',
      aggregator: 'sum',
      get: () => this.#get(),
    };
    // A collector of our own: the registry only asks it for its name and values.
    for (const registry of config.registers) registry.registerMetric(metric as unknown as Counter);
  }

  /** The series of `labels`, made on first use; keep it and observe values on it. */
  series(labels: Labels<L>): HistogramSeries {
    const key = keyOf(this.config.labelNames, labels);
    let entry = this.#series.get(key);
    if (!entry) this.#series.set(key, (entry = { labels, buckets: new Buckets(this.config.buckets) }));
    return entry.buckets;
  }

  #get() {
    const { name, help, buckets: bounds } = this.config;
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const { labels, buckets } of this.#series.values()) {
      let cumulative = 0;
      bounds.forEach((le, i) => {
        cumulative += buckets.counts[i]!;
        values.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
      });
      values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: buckets.count });
      values.push({ metricName: `${name}_sum`, labels, value: buckets.sum });
      values.push({ metricName: `${name}_count`, labels, value: buckets.count });
    }
    return { name, help, type: 'histogram', values, aggregator: 'sum' };
  }
}
