import type { FastifyRequest } from 'fastify';

/**
 * The API's public base URL, e.g. `http://127.0.0.1:8000`: what the server's onRequest hook
 * decided (public-origin.ts), else the Host the client sent.
 */
export function apiOrigin(req: FastifyRequest): string {
  return req.publicOrigin || `${req.protocol}://${req.headers.host ?? 'localhost'}`;
}

/** The request's path without its query, as an absolute URL. */
export function collectionUri(req: FastifyRequest): string {
  return apiOrigin(req) + (req.url.split('?')[0] ?? '');
}

/** A reference to another resource: `{id, uri}`. */
export interface Ref {
  id: string;
  uri: string;
}

export function ref(req: FastifyRequest, path: string, id: string): Ref {
  return { id, uri: `${apiOrigin(req)}${path}/${id}` };
}
