/**
 * Every resource kind through create, get, list (with filter and paging), update and delete,
 * each read shape checked field by field against ngrok's published schema for it
 * (test/data/ngrok-openapi, from ngrok.yaml), so a missing or misnamed field fails, and every
 * answer against the edge's own /openapi.json (so the document cannot drift from the API).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { apiFetch } from '../support/api.ts';
import { forwardTo, startTestEdge, type TestEdge } from '../support/edge.ts';
import { schemaProblems } from '../support/ngrok-schema.ts';
import { openApiDoc, responseChecker } from '../support/openapi-check.ts';
import { makeTestPki, type TestPki } from '../support/openssl-pki.ts';
import { startHttpService } from '../support/services.ts';

let pki: TestPki;
before(async () => {
  pki = await makeTestPki();
});

type Body = Record<string, unknown>;

interface Kind {
  path: string;
  listKey: string;
  schema: string;
  create: Body;
  update: Body;
  /** Portico fields beyond ngrok's schema (dotted paths), each a documented extension. */
  extensions?: string[];
}

/** Checks answers against the edge's /openapi.json; set once the edge runs. */
let documented: ReturnType<typeof responseChecker>;

async function ok(edge: TestEdge, method: string, path: string, body?: unknown): Promise<Body> {
  const res = await apiFetch(edge, method, path, body);
  assert.ok(res.status === 200 || res.status === 201, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  assert.deepEqual(documented.problems(method, path, res.status, res.body), [], `${method} ${path} as documented`);
  return res.body;
}

function assertShape(obj: unknown, kind: Pick<Kind, 'schema' | 'extensions'>, what: string): void {
  assert.deepEqual(schemaProblems(obj, kind.schema, kind.extensions), [], `${what} as ${kind.schema}`);
}

/** create, get, list (filtered by id and paged), update, delete: every read shape checked. */
async function walk(edge: TestEdge, kind: Kind): Promise<void> {
  const created = await ok(edge, 'POST', kind.path, kind.create);
  assertShape(created, kind, `POST ${kind.path}`);
  const id = String(created.id);
  assertShape(await ok(edge, 'GET', `${kind.path}/${id}`), kind, `GET ${kind.path}/{id}`);

  // A second one, so the filtered list must leave one out and paging has a next page.
  const second = await ok(edge, 'POST', kind.path, kind.create);
  const filtered = await ok(edge, 'GET', `${kind.path}?filter=${encodeURIComponent(`obj.id == "${id}"`)}`);
  const items = filtered[kind.listKey] as Body[];
  assert.deepEqual(
    items.map((i) => i.id),
    [id],
    `filtered list of ${kind.path}`,
  );
  assertShape(items[0], kind, `GET ${kind.path} (list)`);
  const paged = await ok(edge, 'GET', `${kind.path}?limit=1&filter=${encodeURIComponent('obj.id != ""')}`);
  assert.deepEqual(
    (paged[kind.listKey] as Body[]).map((i) => i.id),
    [second.id],
  );
  const next = new URL(String(paged.next_page_uri));
  assert.equal(next.searchParams.get('filter'), 'obj.id != ""');

  assertShape(await ok(edge, 'PATCH', `${kind.path}/${id}`, kind.update), kind, `PATCH ${kind.path}/{id}`);
  assert.deepEqual(await ok(edge, 'DELETE', `${kind.path}/${String(second.id)}`), {});
  assert.deepEqual(await ok(edge, 'DELETE', `${kind.path}/${id}`), {});
}

test('every resource kind: read shapes match ngrok.yaml field by field, through create, get, list, update, delete', async (t) => {
  const edge = await startTestEdge(t);
  documented = responseChecker(await openApiDoc(edge));
  const policy = await ok(edge, 'POST', '/ip_policies', {});
  const backend = await ok(edge, 'POST', '/backends/http_response', { body: 'hi', status_code: 200 });
  const destination = await ok(edge, 'POST', '/event_destinations', {
    target: { http: { url: 'https://hooks.example.test/e', secret: 'a-signing-secret-16+' } },
  });
  const ca = await ok(edge, 'POST', '/certificate_authorities', { ca_pem: pki.rootPem });
  const leaf = pki.leaves['ec-pkcs8']!;
  const same = { description: 'd', metadata: 'm' };
  const kinds: Kind[] = [
    { path: '/ip_policies', listKey: 'ip_policies', schema: 'IPPolicy', create: {}, update: same },
    {
      path: '/ip_policy_rules',
      listKey: 'ip_policy_rules',
      schema: 'IPPolicyRule',
      create: { ip_policy_id: policy.id, cidr: '10.0.0.0/8', action: 'allow' },
      update: { ...same, cidr: '10.1.0.0/16' },
    },
    {
      path: '/ip_restrictions',
      listKey: 'ip_restrictions',
      schema: 'IPRestriction',
      create: { type: 'endpoints', ip_policy_ids: [policy.id] },
      update: { ...same, enforced: true },
    },
    { path: '/api_keys', listKey: 'keys', schema: 'APIKey', create: {}, update: same },
    {
      path: '/event_destinations',
      listKey: 'event_destinations',
      schema: 'EventDestination',
      create: { format: 'json', target: { datadog: { api_key: 'dd-key', ddsite: 'datadoghq.eu' } } },
      update: same,
    },
    {
      path: '/event_subscriptions',
      listKey: 'event_subscriptions',
      schema: 'EventSubscription',
      create: { sources: [{ type: 'ip_policy_created.v0' }], destination_ids: [destination.id] },
      update: same,
    },
    { path: '/credentials', listKey: 'credentials', schema: 'Credential', create: {}, update: same },
    {
      path: '/certificate_authorities',
      listKey: 'certificate_authorities',
      schema: 'CertificateAuthority',
      create: { ca_pem: pki.interPem },
      update: same,
    },
    {
      path: '/tls_certificates',
      listKey: 'tls_certificates',
      schema: 'TLSCertificate',
      create: { certificate_pem: leaf.certPem + pki.interPem, private_key_pem: leaf.keyPem },
      update: same,
    },
    {
      path: '/reserved_addrs',
      listKey: 'reserved_addrs',
      schema: 'ReservedAddr',
      create: { region: 'eu' },
      update: same,
    },
    {
      path: '/backends/failover',
      listKey: 'backends',
      schema: 'FailoverBackend',
      create: { backends: [backend.id] },
      update: same,
    },
    {
      path: '/backends/http_response',
      listKey: 'backends',
      schema: 'HTTPResponseBackend',
      create: { body: 'x', headers: { 'x-a': 'b' }, status_code: 201 },
      update: same,
    },
    {
      path: '/backends/static',
      listKey: 'backends',
      schema: 'StaticBackend',
      create: { address: '127.0.0.1:9', tls: { enabled: true } },
      update: same,
    },
    {
      path: '/backends/tunnel_group',
      listKey: 'backends',
      schema: 'TunnelGroupBackend',
      create: { labels: { app: 'x' } },
      update: same,
    },
    {
      path: '/backends/weighted',
      listKey: 'backends',
      schema: 'WeightedBackend',
      create: { backends: { [String(backend.id)]: 10 } },
      update: same,
    },
    {
      path: '/edges/tcp',
      listKey: 'tcp_edges',
      schema: 'TCPEdge',
      create: {
        backend: { backend_id: (await ok(edge, 'POST', '/backends/tunnel_group', { labels: { a: 'b' } })).id },
      },
      update: same,
      extensions: ['policy'],
    },
    {
      path: '/edges/tls',
      listKey: 'tls_edges',
      schema: 'TLSEdge',
      create: { mutual_tls: { certificate_authority_ids: [ca.id] } },
      update: same,
      extensions: ['policy'],
    },
    {
      path: '/edges/https',
      listKey: 'https_edges',
      schema: 'HTTPSEdge',
      create: {},
      update: same,
    },
  ];
  for (const kind of kinds) await walk(edge, kind);

  // Reserved domains: unique names, so created one at a time.
  const rd = await ok(edge, 'POST', '/reserved_domains', { domain: 'shape.example.test' });
  assertShape(rd, { schema: 'ReservedDomain', extensions: ['resolves_to'] }, 'POST /reserved_domains');
  await ok(edge, 'POST', '/reserved_domains', { domain: 'shape2.example.test' });
  const rds = await ok(
    edge,
    'GET',
    `/reserved_domains?filter=${encodeURIComponent('obj.domain.startsWith("shape.")')}`,
  );
  assert.deepEqual(
    (rds.reserved_domains as Body[]).map((d) => d.id),
    [rd.id],
  );
  assertShape(
    await ok(edge, 'PATCH', `/reserved_domains/${String(rd.id)}`, same),
    { schema: 'ReservedDomain', extensions: ['resolves_to'] },
    'PATCH /reserved_domains/{id}',
  );

  // Event sources, one at a time under their subscription.
  const subscription = await ok(edge, 'POST', '/event_subscriptions', {
    sources: [{ type: 'ip_policy_created.v0' }],
    destination_ids: [destination.id],
  });
  const sources = `/event_subscriptions/${String(subscription.id)}/sources`;
  await ok(edge, 'POST', sources, { type: 'ip_policy_deleted.v0' });
  await ok(edge, 'GET', sources);
  await ok(edge, 'GET', `${sources}/ip_policy_deleted.v0`);
  await ok(edge, 'PATCH', `${sources}/ip_policy_deleted.v0`, { type: 'ip_policy_updated.v0' });
  await ok(edge, 'DELETE', `${sources}/ip_policy_updated.v0`);

  // Routes (no list of their own: embedded in the edge).
  const https = await ok(edge, 'POST', '/edges/https', { hostports: ['shape.example.test:443'] });
  const route = await ok(edge, 'POST', `/edges/https/${String(https.id)}/routes`, {
    match_type: 'path_prefix',
    match: '/',
    backend: { backend_id: backend.id },
    ip_restriction: { ip_policy_ids: [policy.id] },
    circuit_breaker: { error_threshold_percentage: 0.5 },
    compression: {},
    request_headers: { add: { 'x-a': 'b' } },
    response_headers: {},
    webhook_verification: { provider: 'github', secret: 's' },
    oidc: { enabled: false },
    oauth: { enabled: false },
    saml: { enabled: false },
    websocket_tcp_converter: {},
    user_agent_filter: { allow: ['(?i)bot'] },
  });
  const routeKind = { schema: 'HTTPSEdgeRoute', extensions: ['policy', 'saml.idp_metadata_url'] };
  assertShape(route, routeKind, 'POST route');
  assertShape(
    await ok(edge, 'GET', `/edges/https/${String(https.id)}/routes/${String(route.id)}`),
    routeKind,
    'GET route',
  );
  // Each module path of the route answers its module's documented read shape.
  const routePath = `/edges/https/${String(https.id)}/routes/${String(route.id)}`;
  for (const slot of Object.keys(route).filter((k) => route[k] && typeof route[k] === 'object'))
    await ok(edge, 'GET', `${routePath}/${slot}`);
  await ok(edge, 'PUT', `${routePath}/compression`, { enabled: true });
  await ok(edge, 'DELETE', `${routePath}/compression`);
  const withRoute = await ok(edge, 'GET', `/edges/https/${String(https.id)}`);
  assertShape(
    withRoute,
    { schema: 'HTTPSEdge', extensions: ['routes.policy', 'routes.saml.idp_metadata_url'] },
    'GET edge with a route',
  );

  // Tunnels and tunnel sessions: an agent endpoint and a labeled tunnel.
  const web = await startHttpService(t, (_req, res) => res.end('ok'));
  for (const extra of [{ subdomain: 'shape' }, { labels: { app: 'x' } }]) {
    await forwardTo(t, edge, {
      addr: web.port,
      ...extra,
    });
  }
  const tunnels = (await ok(edge, 'GET', '/tunnels')).tunnels as Body[];
  assert.equal(tunnels.length, 2);
  for (const tunnel of tunnels) assertShape(tunnel, { schema: 'Tunnel' }, 'GET /tunnels');
  const sessions = (await ok(edge, 'GET', '/tunnel_sessions')).tunnel_sessions as Body[];
  for (const session of sessions) {
    assertShape(session, { schema: 'TunnelSession' }, 'GET /tunnel_sessions');
    assert.equal(session.transport, 'ngrok/v2');
    assert.equal(session.metadata, '');
  }
  // Live lists take the filter too.
  const labeled = await ok(
    edge,
    'GET',
    `/tunnels?filter=${encodeURIComponent('obj.proto == "" && obj.labels.app == "x"')}`,
  );
  assert.deepEqual(
    (labeled.tunnels as Body[]).map((x) => x.public_url),
    [''],
  );
  const one = String(sessions[0]!.id);
  const picked = await ok(
    edge,
    'GET',
    `/tunnel_sessions?filter=${encodeURIComponent(`obj.id == "${one}" && obj.transport == "ngrok/v2"`)}`,
  );
  assert.deepEqual(
    (picked.tunnel_sessions as Body[]).map((s) => s.id),
    [one],
  );
});
