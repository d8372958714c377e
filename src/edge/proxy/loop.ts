import type http from 'node:http';

/**
 * Request header naming, in order, the edges a request went through (each edge by a random
 * id of its own process). A request that reaches an edge already named in it has come back
 * through the edge's own tunnel (an agent forwarding to the edge's public port): 508.
 */
export const hopsHeader = 'portico-edge-hops';

/** More edges than this in a row count as a loop too (two edges forwarding to each other). */
const maxHops = 8;

/** The header value to send onwards, or undefined when the request is looping. */
export function nextHops(req: http.IncomingMessage, hopId: string): string | undefined {
  const prior = req.headers[hopsHeader];
  const seen = typeof prior === 'string' && prior !== '' ? prior.split(',').map((h) => h.trim()) : [];
  if (seen.includes(hopId) || seen.length >= maxHops) return undefined;
  return [...seen, hopId].join(', ');
}
