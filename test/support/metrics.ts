/**
 * Scrapes a `/metrics` endpoint and reads it with an independent Prometheus text-format parser
 * (parse-prometheus-text-format, a port of the Python client's), never with prom-client.
 */
import parsePrometheusTextFormat, { type Family } from 'parse-prometheus-text-format';

export interface Scrape {
  status: number;
  /** Every family as the parser reads it (its types and help; see `value` for histograms). */
  families: Family[];
  /**
   * The sum of the samples of `name` whose labels include `labels`; 0 when none. A histogram's
   * series are read by their own names (`…_bucket` with `le`, `…_sum`, `…_count`).
   */
  value(name: string, labels?: Record<string, string>): number;
  has(name: string): boolean;
}

export async function scrapeMetrics(url: string, key?: string): Promise<Scrape> {
  const res = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await res.text();
  const families = res.status === 200 ? parsePrometheusTextFormat(text) : [];
  // The parser folds a histogram into one sample and drops its labels when it has any; read
  // without their TYPE lines, histograms come out as plain series that keep every label.
  const series = res.status === 200 ? parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram\n/gm, '')) : [];
  const family = (name: string) => series.find((f) => f.name === name);
  return {
    status: res.status,
    families,
    has: (name) => family(name) !== undefined,
    value: (name, labels = {}) =>
      (family(name)?.metrics ?? [])
        .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
        .reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0),
  };
}
