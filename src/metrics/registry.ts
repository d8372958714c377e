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
 *   const answer = await scrape({ registry, key }, req.headers.authorization);
 *   res.writeHead(answer.status, answer.headers).end(answer.body);
 *
 * Counters and histograms updated on every request are cheaper as metrics/hot.ts series.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
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

/** What a `/metrics` endpoint serves: a registry, and the bearer key it asks for (none: open). */
export interface MetricsEndpoint {
  registry: Registry;
  /** When set, a scrape must send `Authorization: Bearer <key>`. */
  key?: string;
}

/** One answer of a `/metrics` endpoint, for any HTTP server to send. */
export interface MetricsAnswer {
  status: 200 | 401;
  headers: Record<string, string>;
  body: string;
}

/** The scrape answer for a request with this Authorization header: the text format, or 401. */
export async function scrape(endpoint: MetricsEndpoint, authorization: string | undefined): Promise<MetricsAnswer> {
  if (endpoint.key !== undefined && !bearerMatches(authorization, endpoint.key))
    return {
      status: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"' },
      body: 'send Authorization: Bearer <metrics key>\n',
    };
  const body = await endpoint.registry.metrics();
  return { status: 200, headers: { 'content-type': endpoint.registry.contentType }, body };
}

// Digests of equal length, so the comparison takes the same time whatever was sent.
function bearerMatches(authorization: string | undefined, key: string): boolean {
  const sent = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim() ?? '';
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(sent), digest(key));
}
