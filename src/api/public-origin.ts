/**
 * The API's public base URL, for every `uri` and `next_page_uri` it writes. Behind a reverse
 * proxy the socket sees the proxy's Host, so the edge is told its public address: a fixed
 * `--api-public-url`, or `X-Forwarded-Proto`/`X-Forwarded-Host` believed only from the
 * `--api-trusted-proxies` networks (Fastify's trustProxy). Otherwise the Host a client sent.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiPublicAddress } from '../config/api-public-address.ts';

export type { ApiPublicAddress };

/**
 * The origin (and path prefix) URIs start with for this request: the configured public URL,
 * else the scheme and host the client used (Fastify reads X-Forwarded-* only from trusted proxies).
 */
export function publicOriginOf(req: FastifyRequest, address: ApiPublicAddress): string {
  return address.publicUrl ?? `${req.protocol}://${req.host || 'localhost'}`;
}
