import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiDeps } from '../../src/api/context.ts';
import { createApi } from '../../src/api/server.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { startTestEdge } from '../support/edge.ts';

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  servers: Array<{ url: string }>;
  security: unknown[];
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  paths: Record<
    string,
    Record<
      string,
      {
        security?: unknown[];
        parameters?: Array<{ name: string; in: string }>;
        requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
        responses: Record<string, unknown>;
      }
    >
  >;
};

/** Every method + path in Fastify's route tree (`printRoutes({ commonPrefix: false })`), HEAD left out. */
function registeredRoutes(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    // A segment continues its parent's path and need not start with '/' (`/certificate` → `_management_policy`).
    const m = /^([│├└─ ]*)([^ │├└─]\S*)(?: \(([^)]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4 - 1; // '├── ' is one level
    stack[depth] = (depth > 0 ? stack[depth - 1]! : '') + m[2]!;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && s !== 'HEAD'))
      out.push(`${method} ${stack[depth]}`);
  }
  return out;
}

test('GET /openapi.json: public, OpenAPI 3.0, lists every route the API registers', async (t) => {
  const edge = await startTestEdge(t);
  const res = await fetch(`${edge.bootstrap.api_url}/openapi.json`);
  assert.equal(res.status, 200, 'no API key needed');
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const doc = (await res.json()) as Doc;
  assert.match(doc.openapi, /^3\.0\.\d+$/);
  assert.equal(doc.info.title, 'Portico API');
  assert.ok(doc.info.version);
  assert.deepEqual(doc.servers, [{ url: edge.bootstrap.api_url }]);
  assert.equal(doc.components.securitySchemes.bearer?.type, 'http');
  assert.equal(doc.components.securitySchemes.bearer?.scheme, 'bearer');
  assert.deepEqual(doc.security, [{ bearer: [] }]);

  // Well-known operations, with path parameters and body schemas.
  for (const path of [
    '/edges/https',
    '/ip_policies',
    '/ip_policies/{id}',
    '/event_destinations',
    '/event_subscriptions/{id}/sources/{type}',
  ])
    assert.ok(doc.paths[path], path);
  assert.deepEqual(Object.keys(doc.paths['/ip_policies']!).sort(), ['get', 'post']);
  assert.ok(doc.paths['/ip_policies']!.post!.responses['201']);
  assert.deepEqual(doc.paths['/ip_policies/{id}']!.patch!.parameters, [
    { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
  ]);
  assert.ok(doc.paths['/ip_policy_rules']!.post!.requestBody!.content['application/json']!.schema.properties!.cidr);
  assert.deepEqual(doc.paths['/openapi.json']!.get!.security, [], 'public paths need no key');
  assert.equal(doc.paths['/ip_policies']!.get!.security, undefined);

  // Every route of a freshly built API (the same code the edge runs) is in the document.
  // Registering routes reads no deps, so a partial set is enough (and survives new deps).
  const deps: Partial<ApiDeps> = {
    store: edge.store,
    live: edge.registry,
    domain: 'localhost',
    region: 'local',
    tcpHost: 'localhost',
    logger: silentLogger,
  };
  const api = await createApi(deps as ApiDeps);
  // Parameter names are compared loosely: the tree merges names at one position (`:id|:edge_id`).
  const loose = (route: string) => route.replace(/:[\w|:]+/g, ':param');
  const routes = registeredRoutes(api.printRoutes({ commonPrefix: false })).map(loose);
  await api.close();
  assert.ok(routes.length > 20, `parsed ${routes.length} routes`);
  const documented = new Set(
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => loose(`${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)),
    ),
  );
  const missing = routes.filter((r) => !documented.has(r));
  assert.deepEqual(missing, []);
  const extra = [...documented].filter((r) => !routes.includes(r));
  assert.deepEqual(extra, [], 'and nothing else');
});
