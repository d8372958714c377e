/**
 * Metric registries for Prometheus (prom-client). Every process part that exports metrics (an
 * edge, an agent) makes its own registry here and registers its metrics on it: prom-client's
 * global default registry is never used, so several edges or agents in one process (tests)
 * keep apart. The process metrics (CPU, memory, event loop, handles) join each registry.
 *
 * Any HTTP server serves one the same way (the edge's API does, in api/server.ts):
 *
 *   const registry = createRegistry();
 *   const served = new Counter({ name: 'portico_agent_requests_total', help: '…', registers: [registry] });
 *   const answer = await scrape({ registry: async () => registry, key }, req.headers.authorization);
 *   res.writeHead(answer.status, answer.headers).end(answer.body);
 *
 * (`scrape` is in scrape.ts.) Counters and histograms updated on every request are cheaper as
 * metrics/hot.ts series, and numbers kept elsewhere are exported with `registerReadCounter`:
 * both count before a registry exists, so it can be made at the first scrape.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface RegistryOptions {
  /** Adds Node's process metrics (`process_…`, `nodejs_…`). Default true. */
  processMetrics?: boolean;
  /** Labels added to every series of the registry, e.g. `{ node: 'edge-1' }`. */
  labels?: Record<string, string>;
}

/** A new registry of its own, with the process metrics unless turned off. */
export function createRegistry(options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
