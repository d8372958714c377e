// The edge's /metrics, read with an independent Prometheus text-format parser, and its access
// log: counters move with traffic through a real edge and real agents (ours and ngrok's SDK).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createLogger } from '../../src/log/logger.ts';
import { apiClient } from '../support/api.ts';
import WebSocket from 'ws';
import { loopbackLookup, request } from '../support/client.ts';
import { forwardTo, startTestEdge, type TestEdge } from '../support/edge.ts';
import { httpsEdge, reserve, tunnelGroupBackend } from '../support/edges.ts';
import { getFrom } from '../support/from-address.ts';
import { logLines } from '../support/log-lines.ts';
import { scrapeMetrics, type Scrape } from '../support/metrics.ts';
import { sdkForward } from '../support/sdk.ts';
import { eventually, startHttpService, startWebSocketEcho } from '../support/services.ts';

const body = 'served by the service';

const metricsUrl = (edge: TestEdge) => `http://127.0.0.1:${edge.ports.api}/metrics`;

/** The request id an error page shows. */
function pageRequestId(page: string): string {
  const id = /request <code>([^<]+)<\/code>/.exec(page)?.[1];
  assert.ok(id, `an error page with a request id: ${page}`);
  return id;
}

/** An HTTPS edge for `host` whose one route goes to a labeled tunnel of our agent; 127.0.0.2 is denied. */
async function restrictedRoute(t: TestContext, edge: TestEdge, host: string) {
  const ngrok = apiClient(edge);
  await reserve(ngrok, host);
  const service = await startHttpService(t, (_req, res) => res.end(body));
  await forwardTo(t, edge, {
    addr: service.port,
    labels: { app: 'metrics' },
  });
  const { id: edgeId, routeIds } = await httpsEdge(
    ngrok,
    [`${host}:443`],
    [{ backendId: await tunnelGroupBackend(ngrok, { app: 'metrics' }) }],
  );
  const { id: policyId } = await ngrok.ipPolicies.create({});
  await ngrok.ipPolicyRules.create({ ipPolicyId: policyId, cidr: '127.0.0.0/8', action: 'allow' });
  await ngrok.ipPolicyRules.create({ ipPolicyId: policyId, cidr: '127.0.0.2/32', action: 'deny' });
  await ngrok.edgeModules.edgeRouteIpRestrictionModule.replace({
    edgeId,
    id: routeIds[0]!,
    module: { ipPolicyIds: [policyId] },
  });
  await edge.snapshots.settled();
  return { edgeId, routeId: routeIds[0]! };
}

test('/metrics parses and moves with traffic: requests, bytes, latency, tunnels, an IP restriction denial', async (t) => {
  const log = logLines();
  const edge = await startTestEdge(t, {
    config: {
      logger: createLogger({ format: 'json', sink: log.sink, level: 'error', components: { access: 'info' } }),
    },
  });
  const before = await scrapeMetrics(metricsUrl(edge));
  assert.equal(before.status, 200, 'no key is needed by default');
  assert.equal(before.value('portico_tunnels'), 0);
  assert.ok(before.has('process_cpu_user_seconds_total'), 'process metrics are on the edge registry');
  assert.ok(before.has('nodejs_eventloop_lag_seconds'));

  const host = 'metrics.example.com';
  const { edgeId, routeId } = await restrictedRoute(t, edge, host);
  const web = await startHttpService(t, (_req, res) => res.end('endpoint'));
  await sdkForward(t, edge, { addr: web.port, domain: 'sdk-metrics.localhost' });
  const live = await scrapeMetrics(metricsUrl(edge));
  assert.equal(live.value('portico_tunnels'), 2, 'a labeled tunnel and an agent endpoint');
  assert.equal(live.value('portico_tunnel_sessions'), 2);
  assert.ok(live.has('portico_streams'));

  for (let i = 0; i < 3; i++) assert.equal((await getFrom(edge, host, '127.0.0.1')).body, body);
  const denied = await getFrom(edge, host, '127.0.0.2');
  assert.equal(denied.status, 403);
  const sdk = await request(`https://sdk-metrics.localhost:${edge.ports.https}/`, { ca: edge.caPem });
  assert.equal(sdk.status, 200);

  const route = { edge: edgeId, route: routeId };
  const after = await eventually<Scrape | undefined>(
    async () => {
      const s = await scrapeMetrics(metricsUrl(edge));
      return s.value('portico_http_request_duration_seconds_count', route) === 4 &&
        s.value('portico_http_requests_total', { edge: '', route: '', status: '2xx' }) === 1
        ? s
        : undefined;
    },
    10_000,
    'the five requests counted',
  );
  assert.equal(after!.value('portico_http_requests_total', { ...route, status: '2xx' }), 3);
  assert.equal(after!.value('portico_http_requests_total', { ...route, status: '4xx' }), 1);
  assert.equal(after!.value('portico_module_decisions_total', { module: 'ip_restriction', decision: 'denied' }), 1);
  assert.ok(after!.value('portico_http_sent_bytes_total', route) > 3 * body.length, 'responses, heads and bodies');
  assert.ok(after!.value('portico_http_received_bytes_total', route) > 4 * 'GET / HTTP/1.1\r\n'.length);
  assert.equal(after!.families.find((f) => f.name === 'portico_http_request_duration_seconds')?.type, 'HISTOGRAM');
  assert.equal(after!.value('portico_http_request_duration_seconds_bucket', { ...route, le: '+Inf' }), 4);
  assert.ok(after!.value('portico_http_request_duration_seconds_sum', route) > 0);

  // The access log: one line per request, the denied one with the request id its page showed.
  const id = pageRequestId(denied.body);
  const line = log.lines.find((l) => l.requestId === id);
  assert.ok(line, `an access-log line with request id ${id}`);
  assert.equal(line.msg, 'request');
  assert.equal(line.component, 'access');
  assert.equal(line.status, 403);
  assert.equal(line.method, 'GET');
  assert.equal(line.host, host);
  assert.equal(line.path, '/');
  assert.equal(line.edgeId, edgeId);
  assert.equal(line.routeId, routeId);
  assert.match(String(line.client), /^127\.0\.0\.2:\d+$/);
  assert.equal(typeof line.durationMs, 'number');
  assert.ok((line.bytesOut as number) > 0);
  assert.equal(log.lines.filter((l) => l.msg === 'request').length, 5);
});

test('--metrics-key: /metrics asks for the key; two edges in one process keep their metrics apart', async (t) => {
  const locked = await startTestEdge(t, { config: { metrics: { key: 'scrape-me' } } });
  const open = await startTestEdge(t);
  assert.equal((await scrapeMetrics(metricsUrl(locked))).status, 401);
  assert.equal(
    (await scrapeMetrics(metricsUrl(locked), locked.credentials.apiKey)).status,
    401,
    'an API key is not it',
  );
  const scraped = await scrapeMetrics(metricsUrl(locked), 'scrape-me');
  assert.equal(scraped.status, 200);
  assert.ok(scraped.has('portico_http_requests_total'));

  await getFrom(open, 'nothing.localhost', '127.0.0.1');
  const counted = await eventually<Scrape | undefined>(async () => {
    const s = await scrapeMetrics(metricsUrl(open));
    return s.value('portico_http_requests_total') === 1 ? s : undefined;
  });
  assert.equal(counted!.value('portico_http_requests_total', { edge: '', route: '', status: '4xx' }), 1);
  assert.equal((await scrapeMetrics(metricsUrl(locked), 'scrape-me')).value('portico_http_requests_total'), 0);
});

test('an unrouted request is logged with the id of its error page; --no-access-log writes none', async (t) => {
  const log = logLines();
  const edge = await startTestEdge(t, { config: { logger: createLogger({ format: 'json', sink: log.sink }) } });
  const page = await getFrom(edge, 'nothing.localhost', '127.0.0.1');
  assert.equal(page.status, 404);
  const id = pageRequestId(page.body);
  const line = (await eventually(() => log.lines.find((l) => l.requestId === id), 10_000, 'the access-log line'))!;
  assert.equal(line.status, 404);
  assert.equal(line.host, 'nothing.localhost');
  assert.equal(line.edgeId, undefined);

  const quiet = logLines();
  const silent = await startTestEdge(t, {
    config: { accessLog: false, logger: createLogger({ format: 'json', sink: quiet.sink }) },
  });
  await getFrom(silent, 'nothing.localhost', '127.0.0.1');
  await eventually(async () => (await scrapeMetrics(metricsUrl(silent))).value('portico_http_requests_total') === 1);
  assert.deepEqual(
    quiet.lines.filter((l) => l.msg === 'request'),
    [],
  );
});

test('a WebSocket is logged and counted once its connection closes: 101, the bytes of the whole connection', async (t) => {
  const log = logLines();
  const edge = await startTestEdge(t, { config: { logger: createLogger({ format: 'json', sink: log.sink }) } });
  const service = await startWebSocketEcho(t);
  const tunnel = await forwardTo(t, edge, { addr: service.port });

  const ws = new WebSocket(`${tunnel.url.replace('https:', 'wss:')}/chat?token=secret`, {
    ca: edge.caPem,
    lookup: loopbackLookup,
  } as WebSocket.ClientOptions);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const echoed = new Promise((resolve) => ws.once('message', resolve));
  ws.send('x'.repeat(100_000));
  await echoed;
  ws.close();

  const line = (await eventually(
    () => log.lines.find((l) => l.msg === 'request' && l.path === '/chat'),
    10_000,
    'the access-log line of the WebSocket',
  ))!;
  assert.equal(line.status, 101);
  assert.equal(line.method, 'GET');
  assert.equal(line.scheme, 'https');
  assert.equal(line.endpointId, tunnel.id);
  assert.ok((line.bytesIn as number) > 100_000 && (line.bytesOut as number) > 100_000, JSON.stringify(line));
  const scrape = await scrapeMetrics(metricsUrl(edge));
  assert.equal(scrape.value('portico_http_requests_total', { edge: '', route: '', status: '1xx' }), 1);
});
