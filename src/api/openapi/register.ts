/**
 * `GET /openapi.json` (public): the OpenAPI 3.0 document of this API. The routes are collected
 * as Fastify registers them (an `onRoute` hook), so the document lists exactly what the server
 * serves; it is built on its first request (document.ts, loaded then), not at start-up.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { apiOrigin } from '../uri.ts';

/** One registered operation. */
export interface ApiOperation {
  /** Lower case, e.g. `get`. */
  method: string;
  /** OpenAPI form, e.g. `/ip_policies/{id}`. */
  path: string;
  params: string[];
  /** The JSON schema the route validates its body with, if any. */
  body?: unknown;
  public: boolean;
}

/** Paths served without an API key (kept in step with server.ts). */
const publicPaths = new Set(['/health', '/openapi.json']);
/** Methods Fastify derives (HEAD for every GET) rather than registers. */
const derivedMethods = new Set(['HEAD', 'OPTIONS']);

/** `/a/:id/b/:type` → `/a/{id}/b/{type}` and its parameter names. */
export function openApiPath(url: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

/**
 * Collects every route registered after this call and serves the document. Call it before any
 * other route is registered (server.ts does, first thing after its hooks).
 */
export function registerOpenApi(app: FastifyInstance): void {
  const operations: ApiOperation[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of ([] as string[]).concat(route.method)) {
      if (derivedMethods.has(method.toUpperCase())) continue;
      const { path, params } = openApiPath(route.url);
      const body = (route.schema as { body?: unknown } | undefined)?.body;
      operations.push({ method: method.toLowerCase(), path, params, body, public: publicPaths.has(route.url) });
    }
  });
  // Built once, after every route is registered; only `servers` differs between requests.
  let built: Promise<Record<string, unknown>> | undefined;
  app.get('/openapi.json', async (req) => {
    if (!built) {
      built = import('./document.ts').then((m) => m.openApiDocument(operations));
      built.catch(() => (built = undefined)); // a failed build is tried again on the next request
    }
    return { ...(await built), servers: [{ url: apiOrigin(req) }] };
  });
}
