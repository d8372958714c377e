import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Ngrok } from '@ngrok/ngrok-api';
import WebSocket from 'ws';
import { createLogger } from '../../../src/log/logger.ts';
import { apiClient } from '../../support/api.ts';
import { loopbackLookup, request } from '../../support/client.ts';
import { httpsEdge, reserve, tunnelGroupBackend } from '../../support/edges.ts';
import { forwardTo, startTestEdge, tempDir, type TestEdge } from '../../support/edge.ts';
import { logLines } from '../../support/log-lines.ts';
import { eventually, startHttpService, startWebSocketEcho } from '../../support/services.ts';
import { eventsAtLeast, startReceiver, verifySignature, type Receiver } from './receiver.ts';
import type { TestContext } from 'node:test';

const secret = 'receiver-shared-secret-0123456789';
// The TS client (0.11.0) has no types for Portico's targets or source fields; it sends them as given.
type Loose = Parameters<Ngrok['eventDestinations']['create']>[0];
type LooseSub = Parameters<Ngrok['eventSubscriptions']['create']>[0];

/** The destination's counters once it has delivered at least `n` events. */
async function deliveredAtLeast(edge: TestEdge, destinationId: string, n: number) {
  const stats = () => edge.events.stats().find((s) => s.destinationId === destinationId);
  await eventually(() => (stats()?.delivered ?? 0) >= n, 10_000, `${n} events delivered`);
  return stats()!;
}

/** An http destination that posts to `receiver`, signing with `secret`. */
function receiverDestination(ngrok: Ngrok, receiver: Receiver, description?: string) {
  return ngrok.eventDestinations.create({
    ...(description ? { description } : {}),
    format: 'json',
    target: { http: { url: receiver.url, secret } },
  } as unknown as Loose);
}

/**
 * An HTTPS edge on `host` whose one route goes to our agent (a labeled tunnel) in front of a
 * local service; `url` is for `host`, or for `app.` under it when `host` is a wildcard.
 */
async function servedEdge(t: TestContext, edge: TestEdge, ngrok: Ngrok, host: string) {
  const service = await startHttpService(t, (_req, res) => res.writeHead(200, { 'content-length': 2 }).end('ok'));
  await forwardTo(t, edge, {
    addr: service.port,
    labels: { app: 'events' },
  });
  await reserve(ngrok, host);
  const backendId = await tunnelGroupBackend(ngrok, { app: 'events' });
  const created = await httpsEdge(ngrok, [`${host}:443`], [{ backendId }]);
  await edge.snapshots.settled();
  return { ...created, backendId, url: `https://${host.replace(/^\*\./, 'app.')}:${edge.ports.https}` };
}

test('http destination: selected fields of http_request_complete.v0 and audit events, signed batches', async (t) => {
  const edge = await startTestEdge(t, { config: { events: { limits: { retryBaseMs: 20, retryMaxMs: 100 } } } });
  const ngrok = apiClient(edge);
  const receiver = await startReceiver(t);
  // A wildcard hostport: the event names the endpoint of the hostport that matched.
  const site = await servedEdge(t, edge, ngrok, '*.events.example.com');

  const destination = await receiverDestination(ngrok, receiver, 'local receiver');
  const fields = [
    'http.request.method',
    'http.request.url.path',
    'http.response.status_code',
    'edge.id',
    'edge.route.id',
    'endpoint.id',
    'backend.id',
    'tunnel.id',
    'conn.client_ip',
    'conn.client_port',
    'conn.server_port',
  ];
  const subscription = await ngrok.eventSubscriptions.create({
    sources: [
      { type: 'http_request_complete.v0', fields },
      { type: 'ip_policy_created.v0' },
      { type: 'ip_policy_deleted.v0' },
    ],
    destinationIds: [destination.id],
  } as unknown as LooseSub);
  assert.deepEqual((subscription.sources[0] as unknown as { fields: string[] }).fields, fields);
  await edge.events.settled();

  for (const path of ['/a', '/b?x=1', '/c'])
    assert.equal((await request(site.url + path, { ca: edge.caPem })).status, 200);
  const policy = await ngrok.ipPolicies.create({ description: 'office' });
  await ngrok.ipPolicies.delete(policy.id);

  const events = await eventsAtLeast(receiver, 5);

  // Every batch is signed; the receiver checks it on its own with node:crypto.
  for (const r of receiver.requests) {
    assert.equal(r.headers['content-type'], 'application/json');
    assert.ok(verifySignature(r.headers['portico-signature'] as string, r.body, secret), 'signature verifies');
    assert.ok(!verifySignature(r.headers['portico-signature'] as string, r.body, 'another-secret-0123456789'));
    assert.ok(!verifySignature(r.headers['portico-signature'] as string, `${r.body} `, secret), 'a changed body fails');
  }

  const traffic = events.filter((e) => e.event_type === 'http_request_complete.v0');
  assert.deepEqual(
    traffic.map((e) => (e.object.http as { request: { url: { path: string } } }).request.url.path),
    ['/a', '/b', '/c'],
  );
  const [first] = traffic;
  assert.match(first!.event_id, /^ev_[0-9a-z]{27}$/);
  assert.match(first!.event_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // Only the selected fields, nested as ngrok's payloads are.
  assert.deepEqual(first!.object, {
    http: { request: { method: 'GET', url: { path: '/a' } }, response: { status_code: 200 } },
    edge: { id: site.id, route: { id: site.routeIds[0] } },
    endpoint: { id: (await ngrok.endpoints.list()).find((e) => e.edge?.id === site.id)!.id },
    backend: { id: site.backendId },
    tunnel: { id: (first!.object.tunnel as { id: string }).id },
    conn: {
      client_ip: '127.0.0.1',
      client_port: (first!.object.conn as { client_port: number }).client_port,
      server_port: edge.ports.https,
    },
  });
  assert.match((first!.object.tunnel as { id: string }).id, /.+/);
  assert.equal(typeof (first!.object.conn as { client_port: unknown }).client_port, 'number');

  const audit = events.filter((e) => e.event_type.startsWith('ip_policy_'));
  assert.deepEqual(
    audit.map((e) => [e.event_type, e.object.id, e.object.description]),
    [
      ['ip_policy_created.v0', policy.id, 'office'],
      ['ip_policy_deleted.v0', policy.id, 'office'],
    ],
  );
  assert.equal(audit[0]!.object.uri, policy.uri, 'the object is the API read shape');

  // The receiver records a batch before it answers: the edge counts it once the answer is back.
  const stats = await deliveredAtLeast(edge, destination.id, 5);
  assert.equal(stats.target, 'http');
  assert.equal(stats.delivered, 5);
  assert.equal(stats.dropped, 0);
});

test('a WebSocket is reported as http_request_complete.v0 once its connection closes: 101 and its tunnel', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const receiver = await startReceiver(t);
  const service = await startWebSocketEcho(t);
  const tunnel = await forwardTo(t, edge, { addr: service.port });
  const destination = await receiverDestination(ngrok, receiver);
  const fields = [
    'http.request.method',
    'http.request.url.path',
    'http.request.url.query',
    'http.response.status_code',
    'http.response.headers',
    'endpoint.id',
    'tunnel.id',
    'conn.server_port',
  ];
  await ngrok.eventSubscriptions.create({
    sources: [{ type: 'http_request_complete.v0', fields }],
    destinationIds: [destination.id],
  } as unknown as LooseSub);
  await edge.events.settled();

  const ws = new WebSocket(`${tunnel.url.replace('https:', 'wss:')}/chat?room=1`, {
    ca: edge.caPem,
    lookup: loopbackLookup,
  } as WebSocket.ClientOptions);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const echoed = new Promise((resolve) => ws.once('message', resolve));
  ws.send('hello');
  await echoed;
  // Nothing is sent while the connection is open.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(receiver.requests.length, 0);
  ws.close();

  const [event] = await eventsAtLeast(receiver, 1);
  assert.equal(event!.event_type, 'http_request_complete.v0');
  const object = event!.object as {
    http: { request: unknown; response: { status_code: number; headers: Record<string, string> } };
    endpoint: { id: string };
    tunnel: { id: string };
    conn: { server_port: number };
  };
  assert.equal(object.conn.server_port, edge.ports.https, 'read while the connection was open');
  assert.deepEqual(object.http.request, { method: 'GET', url: { path: '/chat', query: 'room=1' } });
  assert.equal(object.http.response.status_code, 101);
  assert.equal(object.http.response.headers.upgrade?.toLowerCase(), 'websocket');
  assert.ok(object.tunnel.id, 'the tunnel that took it');
  assert.equal(object.endpoint.id, object.tunnel.id.replace(/^tn_/, 'ep_'), 'the id /endpoints lists it by');
});

test('subscription changes take effect without a restart; an unsubscribed type is not sent', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const receiver = await startReceiver(t);
  const destination = await receiverDestination(ngrok, receiver);
  const subscription = await ngrok.eventSubscriptions.create({
    description: 'watching',
    sources: [{ type: 'ip_policy_updated.v0' }, { type: 'event_subscription_updated.v0' }],
    destinationIds: [destination.id],
  });
  await edge.events.settled();
  const policy = await ngrok.ipPolicies.create({ description: 'not subscribed yet' });
  await ngrok.ipPolicies.update({ id: policy.id, description: 'subscribed' });
  await ngrok.eventSources.create({ subscriptionId: subscription.id, type: 'ip_policy_deleted.v0' });
  await edge.events.settled();
  await ngrok.ipPolicies.delete(policy.id);
  const events = await eventsAtLeast(receiver, 3);
  assert.deepEqual(
    events.map((e) => e.event_type),
    ['ip_policy_updated.v0', 'event_subscription_updated.v0', 'ip_policy_deleted.v0'],
  );
  // A source added one by one is a change of the subscription, sent in its full read shape.
  const updated = events[1]!.object;
  assert.equal(updated.description, 'watching');
  assert.deepEqual(
    (updated.sources as Array<{ type: string }>).map((s) => s.type),
    ['ip_policy_updated.v0', 'event_subscription_updated.v0', 'ip_policy_deleted.v0'],
  );
  assert.deepEqual(updated.destinations, [{ id: destination.id, uri: destination.uri }]);
});

test('a destination that is down gets retries with backoff while traffic keeps flowing', async (t) => {
  const edge = await startTestEdge(t, { config: { events: { limits: { retryBaseMs: 50, retryMaxMs: 200 } } } });
  const ngrok = apiClient(edge);
  const receiver = await startReceiver(t);
  let refusals = 4;
  receiver.answer = () => (refusals-- > 0 ? 503 : 200);
  const site = await servedEdge(t, edge, ngrok, 'down.example.com');
  const destination = await receiverDestination(ngrok, receiver);
  await ngrok.eventSubscriptions.create({
    sources: [{ type: 'http_request_complete.v0', fields: ['http.request.url.path'] }] as never,
    destinationIds: [destination.id],
  });
  await edge.events.settled();

  const statuses = [];
  for (let i = 0; i < 20; i++) statuses.push((await request(`${site.url}/r${i}`, { ca: edge.caPem })).status);
  assert.deepEqual(new Set(statuses), new Set([200]), 'every request served while the destination refuses');

  const events = await eventsAtLeast(receiver, 20, 15_000);
  assert.deepEqual(
    events.map((e) => (e.object.http as { request: { url: { path: string } } }).request.url.path),
    Array.from({ length: 20 }, (_, i) => `/r${i}`),
  );
  assert.equal(receiver.requests.filter((r) => r.status === 503).length, 4);
  const stats = await deliveredAtLeast(edge, destination.id, 20);
  assert.equal(stats.retries, 4);
  assert.equal(stats.delivered, 20);
  assert.equal(stats.dropped, 0);
});

test('queued events survive a graceful restart: kept in the data directory, delivered after the start', async (t) => {
  const config = { events: { limits: { retryBaseMs: 60_000, retryMaxMs: 60_000 } } };
  const first = await startTestEdge(t, { config });
  const ngrok = apiClient(first);
  const receiver = await startReceiver(t);
  receiver.answer = () => 503; // down: the first batch waits a minute for its retry
  const destination = await receiverDestination(ngrok, receiver);
  await ngrok.eventSubscriptions.create({
    sources: [{ type: 'ip_policy_created.v0' }],
    destinationIds: [destination.id],
  });
  await first.events.settled();
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await ngrok.ipPolicies.create({ description: `p${i}` })).id);
  await eventually(() => receiver.requests.length >= 1, 5000, 'a first, refused attempt');
  await first.drain(1000);

  receiver.answer = () => 200;
  const second = await startTestEdge(t, {
    dataDir: first.dataDir,
    config: { ...config, databaseUrl: first.databaseUrl },
  });
  const events = await eventsAtLeast(receiver, 3);
  assert.deepEqual(
    events.map((e) => e.object.id),
    ids,
  );
  assert.equal((await deliveredAtLeast(second, destination.id, 3)).delivered, 3);
});

test('a spool that cannot be read is kept aside and logged with its code; the edge starts', async (t) => {
  const dataDir = await tempDir(t);
  const spool = join(dataDir, 'events-spool.json');
  await writeFile(spool, '{"version":1,"destinations":[{"destination_id":"ed_1","events":[{"cut short"');
  const log = logLines();
  const edge = await startTestEdge(t, {
    dataDir,
    config: { logger: createLogger({ format: 'json', sink: log.sink }) },
  });
  const warned = log.lines.find((l) => l.code === 'ERR_EVENT_SPOOL_UNREADABLE');
  assert.ok(warned, 'a warning with the code');
  assert.equal(warned.path, `${spool}.unreadable`);
  assert.match(String(warned.problem), /^not JSON/);
  assert.match(await readFile(`${spool}.unreadable`, 'utf8'), /cut short/);
  await assert.rejects(readFile(spool));
  assert.deepEqual(await apiClient(edge).ipPolicies.list(), [], 'the API answers');
});
