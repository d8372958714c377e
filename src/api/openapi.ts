/**
 * The OpenAPI 3.0 document of this API, served at `GET /openapi.json` (public). It is built
 * from the routes as Fastify registers them (an `onRoute` hook), so it always lists exactly
 * what the server serves: method, path (`:id` → `{id}`), path parameters and the JSON body
 * schema the route validates.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ErrorCode } from '../errors/catalogue.ts';
import { porticoVersion } from '../version.ts';
import { apiOrigin } from './uri.ts';

/** One registered operation. */
export interface ApiOperation {
  method: string;
  /** OpenAPI form, e.g. `/ip_policies/{id}`. */
  path: string;
  params: string[];
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
  app.get('/openapi.json', async (req) => openApiDocument(operations, apiOrigin(req)));
}

/** The document for `operations`, with `origin` as its only server. */
export function openApiDocument(operations: ApiOperation[], origin: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of [...operations].sort((a, b) => a.path.localeCompare(b.path))) {
    (paths[op.path] ??= {})[op.method] = operation(op);
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Portico API',
      version: porticoVersion,
      description:
        'ngrok API v2 compatible control plane of a Portico edge. Send Authorization: Bearer <api key> and Ngrok-Version: 2.',
    },
    servers: [{ url: origin }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (see `portico account create`, or api_key in bootstrap.json)',
        },
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}

const errorSchema = {
  type: 'object',
  required: ['status_code', 'msg', 'details'],
  properties: {
    error_code: { type: 'string', example: ErrorCode.ERR_NGROK_215 },
    status_code: { type: 'integer' },
    msg: { type: 'string' },
    details: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

function operation(op: ApiOperation): Record<string, unknown> {
  // POST creates (201), except the tunnel-session commands.
  const success = op.method === 'post' && !/\/(restart|stop|update)$/.test(op.path) ? '201' : '200';
  return {
    operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    ...(op.public && { security: [] }),
    ...(op.params.length && {
      parameters: op.params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    }),
    ...(op.body !== undefined && {
      requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body) } } },
    }),
    responses: {
      [success]: { description: 'Success', content: { 'application/json': { schema: { type: 'object' } } } },
      default: {
        description: 'Error (ngrok envelope)',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  };
}

/** A plain JSON copy of a route's schema (TypeBox keeps symbols and may carry `$id`s). */
function jsonSchema(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema)) as unknown;
}
