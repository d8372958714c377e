import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { ApiDeps } from '../../src/api/context.ts';
import { compileAllValidators, createApi } from '../../src/api/server.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { apiFetch } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';
import { responseChecker, type OpenApiDoc } from '../support/openapi-check.ts';

type Schema = { $ref?: string; properties?: Record<string, Schema>; 'x-portico-extension'?: boolean };
type Operation = {
  tags: string[];
  operationId: string;
  security?: unknown[];
  parameters?: Array<{ name?: string; in?: string; $ref?: string }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  'x-portico-undocumented'?: boolean;
};
type Doc = {
  openapi: string;
  info: { title: string; version: string };
  servers: Array<{ url: string }>;
  security: unknown[];
  components: {
    securitySchemes: Record<string, { type: string; scheme: string }>;
    parameters: Record<string, { name: string; in: string }>;
    schemas: Record<string, Schema>;
  };
  paths: Record<string, Record<string, Operation>>;
};

/** ngrok's names from ngrok.yaml (test/data/ngrok-openapi/names.json, see the README there). */
type NgrokNames = {
  operations: Record<
    string,
    Record<string, { operationId: string; tag: string; request: string | null; response: string | null }>
  >;
  schemas: Record<string, string[]>;
};

const componentName = (schema: Schema | undefined) => schema?.$ref?.replace('#/components/schemas/', '');
/** Every operation of the document as [method, path, operation]. */
const operationsOf = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => [m, path, op] as const));

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
  assert.equal(
    doc.paths['/ip_policy_rules']!.post!.requestBody!.content['application/json']!.schema.$ref,
    '#/components/schemas/IPPolicyRuleCreate',
  );
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
  // Route schemas compile on first use (lazy-validators.ts): every one of them must compile.
  compileAllValidators(api);
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

test('GET /openapi.json: valid OpenAPI 3.0 (swagger-parser); every answer, list parameter and error described', async (t) => {
  const edge = await startTestEdge(t);
  const doc = (await (await fetch(`${edge.bootstrap.api_url}/openapi.json`)).json()) as Doc;
  await SwaggerParser.validate(structuredClone(doc) as never);

  // Real errors (not found, a bad list parameter, a body the route's schema refuses) are the documented envelope.
  const documented = responseChecker(doc as unknown as OpenApiDoc);
  const errors: Array<[string, string, number]> = [
    ['GET', '/ip_policies/ipp_missing', 404],
    ['GET', '/ip_policies?limit=0', 400],
    ['POST', '/ip_policy_rules', 400],
  ];
  for (const [method, path, status] of errors) {
    const res = await apiFetch(edge, method, path, method === 'POST' ? { cidr: 7 } : undefined);
    assert.equal(res.status, status, `${method} ${path}`);
    assert.deepEqual(documented.problems(method, path, res.status, res.body), [], `${method} ${path}`);
  }

  const ids = new Set<string>();
  for (const [method, path, op] of operationsOf(doc)) {
    const what = `${method.toUpperCase()} ${path}`;
    assert.equal(op['x-portico-undocumented'], undefined, `${what}: no resource entry in src/api/openapi/schemas`);
    assert.ok(!ids.has(op.operationId), `${what}: operationId ${op.operationId} is unique`);
    ids.add(op.operationId);
    assert.equal(op.tags.length, 1, what);
    const [status, ...others] = Object.keys(op.responses).filter((s) => s !== 'default');
    assert.deepEqual(others, [], what);
    assert.equal(componentName(op.responses.default!.content!['application/json']!.schema), 'Error', what);
    const answer = op.responses[status!]!.content!['application/json']!.schema;
    if (path === '/health' || path === '/openapi.json') continue;
    // A read shape, a list, or Empty: DELETE and session commands answer 200 {} (ngrok: 204).
    const name = componentName(answer);
    assert.ok(name && doc.components.schemas[name], `${what}: answers a component schema, not a bare object`);
    if (method === 'delete') assert.deepEqual([status, name], ['200', 'Empty'], what);
    if (op.operationId.endsWith('List') && name !== 'EventSourceList')
      assert.deepEqual(
        op.parameters?.filter((p) => p.$ref).map((p) => p.$ref),
        ['before_id', 'limit', 'filter'].map((n) => `#/components/parameters/${n}`),
        `${what}: list parameters`,
      );
  }
  // ngrok's own list arguments of endpoints, beside paging and the filter.
  assert.deepEqual(
    doc.paths['/endpoints']!.get!.parameters?.filter((p) => !p.$ref).map((p) => [p.name, p.in]),
    [
      ['ids', 'query'],
      ['urls', 'query'],
    ],
  );
  for (const name of ['before_id', 'limit', 'filter'])
    assert.deepEqual(
      { ...doc.components.parameters[name], description: undefined, schema: undefined },
      {
        name,
        in: 'query',
        description: undefined,
        schema: undefined,
      },
    );
  const ops = doc.paths;
  assert.equal(
    componentName(ops['/ip_policies']!.post!.responses['201']!.content!['application/json']!.schema),
    'IPPolicy',
  );
  assert.equal(
    componentName(ops['/ip_policies']!.get!.responses['200']!.content!['application/json']!.schema),
    'IPPolicyList',
  );
  assert.equal(
    componentName(ops['/ip_policies']!.post!.requestBody!.content['application/json']!.schema),
    'IPPolicyCreate',
  );
  assert.ok(
    doc.components.schemas.IPPolicyRuleCreate!.properties!.cidr,
    'request bodies: the schemas routes validate with',
  );
});

test("GET /openapi.json: ngrok.yaml's names for what both documents have (operationIds, tags, components, fields)", async (t) => {
  const edge = await startTestEdge(t);
  const doc = (await (await fetch(`${edge.bootstrap.api_url}/openapi.json`)).json()) as Doc;
  const ngrok = JSON.parse(
    readFileSync(new URL('../data/ngrok-openapi/names.json', import.meta.url), 'utf8'),
  ) as NgrokNames;
  // Paths compared with their parameter names left out (ngrok: /event_subscriptions/{subscription_id}/sources).
  const bare = (path: string) => path.replace(/\{\w+\}/g, '{}');
  const ngrokOps = new Map(Object.entries(ngrok.operations).map(([path, ops]) => [bare(path), ops]));

  let compared = 0;
  for (const [method, path, op] of operationsOf(doc)) {
    const theirs = ngrokOps.get(bare(path))?.[method];
    const what = `${method.toUpperCase()} ${path}`;
    if (!theirs) {
      // Portico's own: its health and document, and the `policy` module of API client 0.11.0.
      assert.ok(/^\/(health|openapi\.json)$|\/policy$/.test(path), `${what} is not in ngrok.yaml`);
      continue;
    }
    compared++;
    assert.deepEqual([op.operationId, op.tags[0]], [theirs.operationId, theirs.tag], what);
    const status = Object.keys(op.responses).find((s) => s !== 'default')!;
    const answer = componentName(op.responses[status]!.content!['application/json']!.schema);
    if (theirs.response) assert.equal(answer, theirs.response, `${what}: answer`);
    const body = componentName(op.requestBody?.content['application/json']!.schema);
    if (body) assert.equal(body, theirs.request, `${what}: request body`);
  }
  assert.ok(compared > 150, `${compared} operations compared`);

  // Read shapes (request bodies aside: Portico validates its own, more lenient ones): every
  // field ngrok documents, and beyond them only fields marked x-portico-extension.
  const ours = Object.keys(doc.components.schemas);
  assert.deepEqual(
    ours.filter((name) => !ngrok.schemas[name]),
    ['Error', 'EndpointPolicy'],
    'components ngrok.yaml does not have',
  );
  for (const name of ours.filter((n) => ngrok.schemas[n] && !/(Create|Update)$/.test(n))) {
    const properties = doc.components.schemas[name]!.properties ?? {};
    const theirs = ngrok.schemas[name]!;
    assert.deepEqual(
      theirs.filter((f) => !(f in properties)),
      [],
      `${name}: ngrok's fields`,
    );
    assert.deepEqual(
      Object.keys(properties).filter((f) => !theirs.includes(f) && !properties[f]!['x-portico-extension']),
      [],
      `${name}: fields beyond ngrok's are marked x-portico-extension`,
    );
  }
});
