import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EdgeMetrics } from './edge-metrics.ts';

const metricsOnly = () => new EdgeMetrics({ processMetrics: false });

test('module decisions: a counter resolved once counts every call', async () => {
  const metrics = metricsOnly();
  const denied = metrics.decisions.counter('ip_restriction', 'denied');
  denied();
  denied();
  metrics.decisions.counter('circuit_breaker', 'opened')();
  const text = await (await metrics.registry()).metrics();
  assert.match(text, /^portico_module_decisions_total\{module="ip_restriction",decision="denied"\} 2$/m);
  assert.match(text, /^portico_module_decisions_total\{module="circuit_breaker",decision="opened"\} 1$/m);
});

test('requests by route and status class; agent endpoints and unrouted requests have empty ids', async () => {
  const metrics = metricsOnly();
  const base = { requestId: 'r', method: 'GET', host: 'h', path: '/', scheme: 'https' as const, clientAddr: 'c' };
  const done = (status: number, edgeId?: string, routeId?: string) =>
    metrics.requests.requestDone({ ...base, status, durationMs: 2, bytesIn: 10, bytesOut: 20, edgeId, routeId });
  done(200, 'edghts_1', 'edghtsrt_1');
  done(503, 'edghts_1', 'edghtsrt_1');
  done(0, 'edghts_1', 'edghtsrt_1');
  done(404);
  const text = await (await metrics.registry()).metrics();
  const route = 'edge="edghts_1",route="edghtsrt_1"';
  assert.match(text, new RegExp(`^portico_http_requests_total\\{${route},status="2xx"\\} 1$`, 'm'));
  assert.match(text, new RegExp(`^portico_http_requests_total\\{${route},status="5xx"\\} 1$`, 'm'));
  assert.match(text, new RegExp(`^portico_http_requests_total\\{${route},status="none"\\} 1$`, 'm'));
  assert.match(text, /^portico_http_requests_total\{edge="",route="",status="4xx"\} 1$/m);
  assert.match(text, new RegExp(`^portico_http_sent_bytes_total\\{${route}\\} 60$`, 'm'));
  assert.match(text, new RegExp(`^portico_http_request_duration_seconds_count\\{${route}\\} 3$`, 'm'));
});

test('live counts and the event queue are read when scraped; the queue appears once registered', async () => {
  const metrics = metricsOnly();
  let tunnels = 1;
  metrics.watchTunnels({ sessions: () => 1, tunnels: () => tunnels, streams: () => 0 });
  assert.doesNotMatch(await (await metrics.registry()).metrics(), /portico_event_queue/);
  metrics.registerEventQueueStats(() => ({ depth: 3, drops: 7 }));
  tunnels = 4;
  const text = await (await metrics.registry()).metrics();
  assert.match(text, /^portico_tunnels 4$/m);
  assert.match(text, /^portico_event_queue_depth 3$/m);
  assert.match(text, /^portico_event_queue_dropped_total 7$/m);
  metrics.registerEventQueueStats(() => ({ depth: 0, drops: 9 }));
  assert.match(await (await metrics.registry()).metrics(), /^portico_event_queue_dropped_total 9$/m);
});

test('certificate expiry by reserved domain, and ACME orders', async () => {
  const metrics = metricsOnly();
  metrics.watchCertificates(() => [{ domain: 'app.example.com', notAfter: 1_900_000_000 }]);
  metrics.watchAcme(() => ({ managed: 2, failing: 1 }));
  metrics.acmeOrder('issued');
  const text = await (await metrics.registry()).metrics();
  assert.match(text, /^portico_certificate_expiry_timestamp_seconds\{domain="app.example.com"\} 1900000000$/m);
  assert.match(text, /^portico_acme_domains_failing 1$/m);
  assert.match(text, /^portico_acme_orders_total\{result="issued"\} 1$/m);
});
