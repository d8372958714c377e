/**
 * A `/metrics` endpoint's answer (Prometheus text format, or 401 without its bearer key), for
 * any HTTP server to send. prom-client is only a type here: the registry is asked for when a
 * scrape is let in.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Registry } from 'prom-client';

/** What a `/metrics` endpoint serves: a registry, and the bearer key it asks for (none: open). */
export interface MetricsEndpoint {
  /** The registry, made when first asked for (EdgeMetrics loads prom-client then). */
  registry(): Promise<Registry>;
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
  const registry = await endpoint.registry();
  const body = await registry.metrics();
  return { status: 200, headers: { 'content-type': registry.contentType }, body };
}

// Digests of equal length, so the comparison takes the same time whatever was sent.
function bearerMatches(authorization: string | undefined, key: string): boolean {
  const sent = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim() ?? '';
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(sent), digest(key));
}
