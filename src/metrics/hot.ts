/**
 * Metrics for the request path: plain numbers per label set, handed to the registry when it is
 * scraped. prom-client's own `labels(…).inc()` hashes the label values on every call; here a
 * caller resolves a series once (per route, say) and then only adds to numbers. Nothing here
 * needs prom-client until `register`: the numbers can be counted before any registry exists.
 */
import type { Counter, Registry } from 'prom-client';

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

/** What a metric of this file is named and described as, and its label names. */
interface HotConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
}

/** A metric of this file as prom-client's registry takes one: it asks only for the name and values. */
function collector(name: string, help: string, type: 'counter' | 'histogram', values: () => unknown[]): Counter {
  const get = () => ({ name, help, type, values: values(), aggregator: 'sum' });
  return { name, help, type, aggregator: 'sum', get } as unknown as Counter;
}

/** One series of a counter read at scrape time. */
export interface CounterReading {
  labels: Record<string, string>;
  value: number;
}

/**
 * Exports on `registry` a counter whose numbers something else keeps (they only grow), read at
 * every scrape: nothing to update per event, nothing to remember between scrapes, and made late
 * it still counts what came before.
 */
export function registerReadCounter(
  registry: Registry,
  config: { name: string; help: string },
  read: () => Iterable<CounterReading>,
): void {
  registry.registerMetric(collector(config.name, config.help, 'counter', () => [...read()]));
}

/** A counter whose series live as plain numbers until a scrape. */
export class HotCounter<L extends string> {
  readonly #series = new Map<string, { labels: Labels<L>; series: CounterSeries }>();

  constructor(private readonly config: HotConfig<L>) {}

  /** The series of `labels`, made on first use; keep it and add to its value. */
  series(labels: Labels<L>): CounterSeries {
    const key = keyOf(this.config.labelNames, labels);
    let entry = this.#series.get(key);
    if (!entry) this.#series.set(key, (entry = { labels, series: { value: 0 } }));
    return entry.series;
  }

  /** Exports the counter on `registry`, with everything added before and after; series still at 0 are left out. */
  register(registry: Registry): void {
    registerReadCounter(registry, this.config, () =>
      [...this.#series.values()]
        .filter(({ series }) => series.value > 0)
        .map(({ labels, series }) => ({ labels, value: series.value })),
    );
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
    private readonly config: HotConfig<L> & {
      /** Upper bounds, ascending; `+Inf` is added. */
      buckets: readonly number[];
    },
  ) {}

  /** The series of `labels`, made on first use; keep it and observe values on it. */
  series(labels: Labels<L>): HistogramSeries {
    const key = keyOf(this.config.labelNames, labels);
    let entry = this.#series.get(key);
    if (!entry) this.#series.set(key, (entry = { labels, buckets: new Buckets(this.config.buckets) }));
    return entry.buckets;
  }

  /** Exports the histogram on `registry`, with everything observed before and after. */
  register(registry: Registry): void {
    registry.registerMetric(collector(this.config.name, this.config.help, 'histogram', () => this.#values()));
  }

  #values() {
    const { name, buckets: bounds } = this.config;
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
    return values;
  }
}
