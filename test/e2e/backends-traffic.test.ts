import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { test } from 'node:test';
import { type Forwarding } from '../../src/agent/forward.ts';
import { apiClient, apiFetch } from '../support/api.ts';
import { request } from '../support/client.ts';
import { asMap, httpsEdge, reserve, httpResponseBackend, tunnelGroupBackend } from '../support/edges.ts';
import { forwardTo, startTestEdge, type TestEdge } from '../support/edge.ts';
import { eventually, sleep, startEchoService, startHttpService } from '../support/services.ts';
import type { TestContext } from 'node:test';
import { sdkSession } from '../support/sdk.ts';

/** Our agent as a labeled tunnel in front of a service answering `name`. */
async function labeledAgent(
  t: TestContext,
  edge: TestEdge,
  labels: Record<string, string>,
  name: string,
): Promise<Forwarding> {
  const service = await startHttpService(t, (_req, res) => res.end(name));
  const agent = await forwardTo(t, edge, {
    addr: service.port,
    labels,
  });
  return agent;
}

test('tunnel group: three agents share the traffic; one leaving moves its share without failures', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'group.example.com');
  const agents = [];
  for (const name of ['a', 'b', 'c']) agents.push(await labeledAgent(t, edge, { app: 'group' }, name));
  await httpsEdge(ngrok, ['group.example.com:443'], [{ backendId: await tunnelGroupBackend(ngrok, { app: 'group' }) }]);
  await edge.snapshots.settled();
  const url = `https://group.example.com:${edge.ports.https}/`;

  const counts: Record<string, number> = {};
  for (let i = 0; i < 30; i++) {
    const res = await request(url, { ca: edge.caPem });
    counts[res.body.toString()] = (counts[res.body.toString()] ?? 0) + 1;
  }
  assert.deepEqual(counts, { a: 10, b: 10, c: 10 });

  // Agent a leaves while requests keep coming, 6 at a time.
  let running = true;
  const outcomes: Array<{ status: number; body: string }> = [];
  const load = (async () => {
    while (running) {
      const batch = await Promise.all(
        Array.from({ length: 6 }, () =>
          request(url, { ca: edge.caPem }).then(
            (r) => ({ status: r.status, body: r.body.toString() }),
            () => ({ status: 0, body: '' }),
          ),
        ),
      );
      outcomes.push(...batch);
    }
  })();
  await sleep(200);
  await agents[0]!.close();
  const leftAt = outcomes.length;
  await sleep(500);
  running = false;
  await load;
  const failed = outcomes.filter((o) => o.status !== 200);
  // At most the requests that were in flight on a when it left (one batch).
  assert.ok(failed.length <= 6, `${failed.length} failed`);
  const after = outcomes.slice(leftAt + 6);
  assert.ok(after.length > 0);
  assert.deepEqual([...new Set(after.map((o) => o.body))].sort(), ['b', 'c']);
});

test('failover: the second backend serves while the first has no agents, and the first again when they return', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'fo.example.com');
  const primary = await tunnelGroupBackend(ngrok, { role: 'primary' });
  const secondary = await tunnelGroupBackend(ngrok, { role: 'secondary' });
  const errorPage = await httpResponseBackend(ngrok, 'all down', 503);
  const failover = await ngrok.backends.failoverBackends.create({ backends: [primary, secondary, errorPage] });
  await httpsEdge(ngrok, ['fo.example.com:443'], [{ backendId: failover.id }]);
  await edge.snapshots.settled();
  const get = async () =>
    (await request(`https://fo.example.com:${edge.ports.https}/`, { ca: edge.caPem })).body.toString();

  assert.equal(await get(), 'all down');
  // A WebSocket upgrade gets the same answer from the http_response backend, not a 503 of the edge's.
  const upgrade = await request(`https://fo.example.com:${edge.ports.https}/socket`, {
    ca: edge.caPem,
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    },
  });
  assert.deepEqual([upgrade.status, upgrade.body.toString()], [503, 'all down']);
  assert.equal(upgrade.headers['content-length'], '8');
  assert.equal(upgrade.headers['ngrok-error-code'], undefined);
  const second = await labeledAgent(t, edge, { role: 'secondary' }, 'secondary');
  assert.equal(await get(), 'secondary');
  const first = await labeledAgent(t, edge, { role: 'primary' }, 'primary');
  assert.equal(await get(), 'primary');
  await first.close();
  assert.equal(await get(), 'secondary');
  await labeledAgent(t, edge, { role: 'primary' }, 'primary again');
  assert.equal(await get(), 'primary again');
  await second.close();
});

test('weighted 80/20 over 2000 requests lands within the binomial tolerance', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'w.example.com');
  const heavy = await httpResponseBackend(ngrok, 'heavy');
  const light = await httpResponseBackend(ngrok, 'light');
  const weighted = await ngrok.backends.weightedBackends.create({ backends: asMap({ [heavy]: 80, [light]: 20 }) });
  await httpsEdge(ngrok, ['w.example.com:443'], [{ backendId: weighted.id }]);
  await edge.snapshots.settled();
  const n = 2000;
  let heavyCount = 0;
  const url = `https://w.example.com:${edge.ports.https}/`;
  for (let batch = 0; batch < n / 50; batch++) {
    const bodies = await Promise.all(Array.from({ length: 50 }, () => request(url, { ca: edge.caPem })));
    heavyCount += bodies.filter((b) => b.body.toString() === 'heavy').length;
  }
  // Binomial(n, 0.8): sd = sqrt(n·0.8·0.2) ≈ 17.9; 5 sd either side fails a correct split ~1 in 3.5 million runs.
  const sd = Math.sqrt(n * 0.8 * 0.2);
  assert.ok(Math.abs(heavyCount - 0.8 * n) < 5 * sd, `heavy ${heavyCount} of ${n}`);
});

test("a route's backend changed through the API under load: no failed request, the new backend serves within a second", async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'live.example.com');
  await labeledAgent(t, edge, { v: '1' }, 'v1');
  await labeledAgent(t, edge, { v: '2' }, 'v2');
  const v1 = await tunnelGroupBackend(ngrok, { v: '1' });
  const v2 = await tunnelGroupBackend(ngrok, { v: '2' });
  const { id: edgeId, routeIds } = await httpsEdge(ngrok, ['live.example.com:443'], [{ backendId: v1 }]);
  await edge.snapshots.settled();
  const url = `https://live.example.com:${edge.ports.https}/`;

  let running = true;
  const seen: Array<{ at: number; body: string; status: number }> = [];
  const load = (async () => {
    while (running) {
      const batch = await Promise.all(Array.from({ length: 8 }, () => request(url, { ca: edge.caPem })));
      for (const r of batch) seen.push({ at: Date.now(), body: r.body.toString(), status: r.status });
    }
  })();
  await sleep(300);
  const changedAt = Date.now();
  await ngrok.edgeModules.edgeRouteBackendModule.replace({ edgeId, id: routeIds[0]!, module: { backendId: v2 } });
  await eventually(() => seen.some((s) => s.at > changedAt + 50 && s.body === 'v2'), 5000, 'v2 to serve');
  await sleep(1000);
  running = false;
  await load;
  assert.ok(
    seen.every((s) => s.status === 200),
    'every request succeeded',
  );
  const firstV2 = seen.find((s) => s.body === 'v2')!;
  assert.ok(firstV2.at - changedAt < 1000, `v2 served ${firstV2.at - changedAt} ms after the change`);
  assert.ok(
    seen.filter((s) => s.at > firstV2.at + 200).every((s) => s.body === 'v2'),
    'only v2 after the swap',
  );
});

test('TLS edge and TCP edge with tunnel-group backends: the official SDK and our agent', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const echo = await startEchoService(t);

  // TCP edge: an address is reserved for it; our agent and the SDK both join the group.
  const tcpGroup = await tunnelGroupBackend(ngrok, { svc: 'tcp' });
  const tcpEdge = await ngrok.edges.edgesTcp.create({ backend: { backendId: tcpGroup } });
  await forwardTo(t, edge, {
    addr: `tcp://127.0.0.1:${echo.port}`,
    proto: 'tcp',
    labels: { svc: 'tcp' },
  });
  const sdk = await sdkSession(t, edge);
  await sdk.labeledListener().label('svc', 'tcp').listenAndForward(`tcp://127.0.0.1:${echo.port}`);
  await edge.snapshots.settled();
  const port = Number(tcpEdge.hostports![0]!.split(':')[1]);
  for (let i = 0; i < 4; i++) {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.end(`tcp ${i}`);
    await new Promise((r) => socket.once('close', r));
    assert.equal(Buffer.concat(chunks).toString(), `tcp ${i}`);
  }

  // TLS edge terminating at the edge: the service gets plaintext from the SDK's labeled listener.
  await reserve(ngrok, 'tls.example.com');
  const tlsGroup = await tunnelGroupBackend(ngrok, { svc: 'tls' });
  await ngrok.edges.edgesTls.create({
    hostports: ['tls.example.com:443'],
    backend: { backendId: tlsGroup },
    tlsTermination: { terminateAt: 'edge' },
  });
  await sdk.labeledListener().label('svc', 'tls').listenAndForward(`tcp://127.0.0.1:${echo.port}`);
  await forwardTo(t, edge, {
    addr: `tcp://127.0.0.1:${echo.port}`,
    proto: 'tcp',
    labels: { svc: 'tls' },
  });
  assert.equal(edge.registry.labeledTunnels({ svc: 'tls' }).length, 2);
  await edge.snapshots.settled();
  // Round-robin over the SDK's listener and ours: every connection is echoed.
  for (let i = 0; i < 4; i++) {
    const client = tls.connect({
      host: '127.0.0.1',
      port: edge.ports.https,
      servername: 'tls.example.com',
      ca: edge.caPem,
    });
    await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
    const got = new Promise<string>((resolve) => client.once('data', (d: Buffer) => resolve(d.toString())));
    client.write(`over a tls edge ${i}`);
    assert.equal(await got, `over a tls edge ${i}`);
    client.destroy();
  }
});

test("an HTTP-response backend's header values in any script go as their UTF-8 bytes; the edge carries on", async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'bytes.example.com');
  const backend = await ngrok.backends.httpResponseBackends.create({
    body: 'ok',
    // Beyond Latin-1: this value used to end the edge process.
    headers: asMap({ 'x-name': '张 Zoë!' }),
    statusCode: 200,
  });
  await httpsEdge(ngrok, ['bytes.example.com:443'], [{ backendId: backend.id }]);
  await edge.snapshots.settled();
  for (let i = 0; i < 2; i++) {
    const res = await request(`https://bytes.example.com:${edge.ports.https}/`, { ca: edge.caPem });
    assert.equal(res.status, 200);
    assert.equal(Buffer.from(String(res.headers['x-name']), 'latin1').toString(), '张 Zoë!');
  }
});

test('an HTTP-response backend answering 204 sends neither its configured body nor a length: the connection stays framed', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'empty.example.com');
  await httpsEdge(ngrok, ['empty.example.com:443'], [{ backendId: await httpResponseBackend(ngrok, 'ignored', 204) }]);
  await edge.snapshots.settled();
  const client = tls.connect({
    port: edge.ports.https,
    host: '127.0.0.1',
    servername: 'empty.example.com',
    ca: edge.caPem,
  });
  t.after(() => client.destroy());
  await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
  let answer = '';
  client.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  // Two requests on one connection: the second is read as a request only if the first answer had no body.
  const get = 'GET / HTTP/1.1\r\nhost: empty.example.com\r\n\r\n';
  client.write(get + get);
  await eventually(() => answer.split('HTTP/1.1 204').length === 3, 5000, 'two 204 answers');
  assert.doesNotMatch(answer, /content-length|ignored/i);
});

test('an HTTP-response backend stored with a framing header (by an older version) fails closed, said on reads', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const backendId = await httpResponseBackend(ngrok, 'framed');
  const stored = (await edge.store.resources.get(edge.credentials.accountId, 'http_response_backend', backendId))!;
  await edge.store.resources.update(stored.account_id, stored.kind, stored.id, {
    ...stored.doc,
    headers: { 'content-length': '3' },
  });
  await edge.snapshots.settled();
  const read = await apiFetch(edge, 'GET', `/backends/http_response/${backendId}`);
  assert.match(String(read.body.config_error), /^headers\.content-length: "content-length" frames the message/);
});
