/**
 * The agent's local API in ngrok's shapes, against a real edge, our CLI agent and a local
 * service: requests through the tunnel are captured with headers and bodies, replay makes the
 * service see a request again, DELETE clears, tunnels start and stop through the API, and the
 * web service moves to the next port when its port is taken.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import type { NgrokCapture } from '../../../src/agent/inspector/captures.ts';
import type { NgrokTunnel } from '../../../src/agent/inspector/tunnels-api.ts';
import WebSocket, { WebSocketServer } from 'ws';
import { loopbackLookup, request } from '../../support/client.ts';
import { defer } from '../../support/defer.ts';
import { startTestEdge } from '../../support/edge.ts';
import { api, startInspectedAgent } from '../../support/inspector-agent.ts';
import { eventually, freePort, startHttpService } from '../../support/services.ts';

type Captures = { uri: string; requests: NgrokCapture[] };

test('the agent API answers in ngrok shapes; replay reaches the service again; DELETE clears', async (t) => {
  const edge = await startTestEdge(t);
  const seen: Array<{ method?: string; url?: string; body: string; token?: string }> = [];
  const service = await startHttpService(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method, url: req.url, body, token: req.headers['x-token'] as string | undefined });
      if (req.url === '/bin')
        return void res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0, 1, 2, 255]));
      res
        .writeHead(201, { 'content-type': 'application/json', 'x-served-by': 'service' })
        .end(`{"got":${body.length}}`);
    });
  });
  const agent = await startInspectedAgent(t, edge, ['http', String(service.port)], `127.0.0.1:${await freePort()}`);

  const tunnels = await api<{ tunnels: NgrokTunnel[]; uri: string }>(agent.web, '/api/tunnels');
  assert.equal(tunnels.status, 200);
  assert.equal(tunnels.json.uri, '/api/tunnels');
  const [tunnel] = tunnels.json.tunnels;
  assert.equal(tunnel!.name, 'command_line');
  assert.equal(tunnel!.uri, '/api/tunnels/command_line');
  assert.equal(tunnel!.public_url, agent.url);
  assert.equal(tunnel!.proto, 'https');
  assert.deepEqual(tunnel!.config, { addr: `http://localhost:${service.port}`, inspect: true });
  for (const key of ['count', 'gauge', 'rate1', 'rate5', 'rate15', 'p50', 'p90', 'p95', 'p99'])
    assert.equal(typeof (tunnel!.metrics.conns as unknown as Record<string, unknown>)[key], 'number', key);
  assert.equal(typeof tunnel!.metrics.http.count, 'number');
  assert.deepEqual((await api(agent.web, '/api/tunnels/command_line')).json, tunnel);

  const body = JSON.stringify({ hello: 'world' });
  const res = await request(`${agent.url}/items?x=1`, {
    ca: edge.caPem,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-token': 'abc' },
  });
  assert.equal(res.status, 201);
  assert.equal((await request(`${agent.url}/bin`, { ca: edge.caPem })).status, 200);

  const list = (await eventually(async () => {
    const l = await api<Captures>(agent.web, '/api/requests/http?limit=10&tunnel_name=command_line');
    return l.json.requests.length === 2 ? l : undefined;
  }))!;
  assert.equal(list.json.uri, '/api/requests/http');
  const [bin, post] = list.json.requests;
  assert.equal(post!.uri, `/api/requests/http/${post!.id}`);
  assert.match(post!.id, /^[0-9a-f]{16}$/);
  assert.equal(post!.tunnel_name, 'command_line');
  assert.equal(post!.remote_addr, '127.0.0.1');
  assert.ok(!Number.isNaN(Date.parse(post!.start)));
  assert.ok(Number.isInteger(post!.duration) && post!.duration > 0, 'nanoseconds');
  assert.equal(post!.request.method, 'POST');
  assert.equal(post!.request.proto, 'HTTP/1.1');
  assert.equal(post!.request.uri, '/items?x=1');
  assert.deepEqual(post!.request.headers['X-Token'], ['abc']);
  const rawRequest = Buffer.from(post!.request.raw, 'base64').toString();
  assert.match(rawRequest, /^POST \/items\?x=1 HTTP\/1\.1\r\n/);
  assert.ok(rawRequest.endsWith(`\r\n\r\n${body}`), rawRequest);
  assert.equal(post!.response!.status, '201 Created');
  assert.equal(post!.response!.status_code, 201);
  assert.deepEqual(post!.response!.headers['X-Served-By'], ['service']);
  assert.ok(Buffer.from(post!.response!.raw, 'base64').toString().endsWith('{"got":17}'));
  assert.deepEqual(Buffer.from(bin!.response!.raw, 'base64').subarray(-4), Buffer.from([0, 1, 2, 255]));
  assert.deepEqual((await api(agent.web, `/api/requests/http/${post!.id}`)).json, post);
  assert.deepEqual((await api<Captures>(agent.web, '/api/requests/http?tunnel_name=other')).json.requests, []);
  assert.equal((await api<Captures>(agent.web, '/api/requests/http?limit=1')).json.requests.length, 1);

  // Replay: the service sees the POST a second time, and the replay is captured too.
  const replayed = await api(agent.web, '/api/requests/http', {
    method: 'POST',
    body: { id: post!.id, tunnel_name: 'command_line' },
  });
  assert.equal(replayed.status, 204);
  const posts = seen.filter((s) => s.method === 'POST');
  assert.equal(posts.length, 2);
  assert.deepEqual(posts[1], posts[0]);
  await eventually(async () => (await api<Captures>(agent.web, '/api/requests/http')).json.requests.length === 3);

  assert.equal((await api(agent.web, '/api/requests/http', { method: 'DELETE' })).status, 204);
  assert.deepEqual((await api<Captures>(agent.web, '/api/requests/http')).json.requests, []);

  // Bad input is refused in ngrok's error shape, with our code.
  const missing = await api(agent.web, '/api/requests/http/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error_code, 'ERR_INSPECTOR_NOT_FOUND');
  assert.equal(missing.json.status_code, 404);
  assert.equal((await api(agent.web, '/api/requests/http?limit=0')).status, 400);
  const form = await fetch(`${agent.web}/api/tunnels`, { method: 'POST', body: 'name=x&addr=22' });
  assert.equal(form.status, 400, 'only JSON bodies: a cross-site form cannot start a tunnel');
  // A name of some other site resolved to 127.0.0.1 (DNS rebinding) gets nothing.
  const rebound = await request(`${agent.web}/api/tunnels`, { headers: { host: 'evil.example:4040' } });
  assert.equal(rebound.status, 403);
});

test('POST /api/tunnels starts a tunnel, DELETE stops it; Prometheus /metrics moves with traffic', async (t) => {
  const edge = await startTestEdge(t);
  const first = await startHttpService(t, (_req, res) => res.end('first'));
  const second = await startHttpService(t, (_req, res) => res.end('second'));
  const agent = await startInspectedAgent(t, edge, ['http', String(first.port)], `127.0.0.1:${await freePort()}`);

  const created = await api<NgrokTunnel>(agent.web, '/api/tunnels', {
    method: 'POST',
    body: { name: 'second', addr: String(second.port), proto: 'http', subdomain: 'second-api' },
  });
  assert.equal(created.status, 201);
  assert.equal(created.json.name, 'second');
  assert.equal(created.json.public_url, `https://second-api.localhost:${edge.ports.https}`);
  assert.equal((await request(created.json.public_url, { ca: edge.caPem })).body.toString(), 'second');
  const names = (await api<{ tunnels: NgrokTunnel[] }>(agent.web, '/api/tunnels')).json.tunnels.map((x) => x.name);
  assert.deepEqual(names.sort(), ['command_line', 'second']);
  const again = await api(agent.web, '/api/tunnels', { method: 'POST', body: { name: 'second', addr: '1' } });
  assert.equal(again.status, 400);
  const bad = await api(agent.web, '/api/tunnels', { method: 'POST', body: { name: 'x', addr: '1', colour: 'red' } });
  assert.equal(bad.status, 400);
  assert.match(String(bad.json.msg), /x\.colour: unknown key/);

  const metrics = await (await fetch(`${agent.web}/metrics`)).text();
  assert.match(metrics, /^portico_agent_tunnels 2$/m);
  assert.match(metrics, /^portico_agent_http_requests_total\{tunnel="second",status_class="2xx"\} 1$/m);
  assert.match(metrics, /^portico_agent_bytes_total\{tunnel="second",direction="out"\} \d+$/m);
  assert.match(metrics, /^# TYPE portico_agent_reconnects_total counter$/m);

  assert.equal((await api(agent.web, '/api/tunnels/second', { method: 'DELETE' })).status, 204);
  assert.equal((await api(agent.web, '/api/tunnels/second')).status, 404);
  await eventually(async () => (await request(created.json.public_url, { ca: edge.caPem })).status === 404);
  assert.match(await (await fetch(`${agent.web}/metrics`)).text(), /^portico_agent_tunnels 1$/m);
});

test('WebSocket messages of an upgraded connection are captured both ways, large ones cut', async (t) => {
  const edge = await startTestEdge(t);
  const service = await startHttpService(t, (_req, res) => res.end('not a websocket'));
  const wss = new WebSocketServer({ server: service.server });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  defer(t, () => wss.close());
  const agent = await startInspectedAgent(t, edge, ['http', String(service.port)], `127.0.0.1:${await freePort()}`);

  const ws = new WebSocket(agent.url.replace('https:', 'wss:') + '/chat', {
    ca: edge.caPem,
    lookup: loopbackLookup,
  } as WebSocket.ClientOptions);
  defer(t, () => ws.close());
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let replies = 0;
  const done = new Promise<void>((resolve) => ws.on('message', () => ++replies === 3 && resolve()));
  ws.send('hello');
  ws.send(Buffer.from([1, 2, 3]));
  ws.send('y'.repeat(100_000));
  await done;

  const capture = await eventually(async () => {
    const [c] = (await api<Captures>(agent.web, '/api/requests/http')).json.requests;
    return c?.websocket?.length === 6 ? c : undefined;
  });
  assert.equal(capture!.request.uri, '/chat');
  assert.equal(capture!.response!.status_code, 101);
  const messages = capture!.websocket!.map((m) => ({
    direction: m.direction,
    kind: m.kind,
    length: m.length,
    head: Buffer.from(m.data, 'base64').subarray(0, 5).toString('hex'),
    kept: Buffer.from(m.data, 'base64').length,
  }));
  const hello = Buffer.from('hello').toString('hex');
  const ys = Buffer.from('yyyyy').toString('hex');
  assert.deepEqual(
    messages.filter((m) => m.direction === 'in'),
    [
      { direction: 'in', kind: 'text', length: 5, head: hello, kept: 5 },
      { direction: 'in', kind: 'binary', length: 3, head: '010203', kept: 3 },
      { direction: 'in', kind: 'text', length: 100_000, head: ys, kept: 10 * 1024 },
    ],
  );
  assert.deepEqual(
    messages.filter((m) => m.direction === 'out').map((m) => [m.kind, m.length, m.head]),
    [
      ['text', 5, hello],
      ['binary', 3, '010203'],
      ['text', 100_000, ys],
    ],
  );
});

test('when the inspector port is taken the agent serves on the next one and logs where; --inspect=false captures nothing', async (t) => {
  const edge = await startTestEdge(t);
  const service = await startHttpService(t, (_req, res) => res.end('x'));
  const taken = net.createServer();
  const port = await takeWithNextFree(taken);
  defer(t, () => new Promise((r) => taken.close(r)));
  const agent = await startInspectedAgent(
    t,
    edge,
    ['http', String(service.port), '--inspect=false'],
    `127.0.0.1:${port}`,
  );
  assert.equal(agent.webAddr, `127.0.0.1:${port + 1}`);
  const [tunnel] = (await api<{ tunnels: NgrokTunnel[] }>(agent.web, '/api/tunnels')).json.tunnels;
  assert.equal(tunnel!.config.inspect, false);

  // --inspect=false: the request is counted, not captured.
  assert.equal((await request(`${agent.url}/private`, { ca: edge.caPem })).status, 200);
  await eventually(
    async () =>
      (await api<{ tunnels: NgrokTunnel[] }>(agent.web, '/api/tunnels')).json.tunnels[0]!.metrics.http.count === 1,
  );
  assert.deepEqual((await api<Captures>(agent.web, '/api/requests/http')).json.requests, []);
});

/** Listens on a port whose next port is free too; resolves with it. */
async function takeWithNextFree(server: net.Server): Promise<number> {
  for (;;) {
    const port = await freePort();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!ok) continue;
    const next = net.createServer();
    const free = await new Promise<boolean>((resolve) => {
      next.once('error', () => resolve(false));
      next.listen(port + 1, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise((r) => next.close(r));
      return port;
    }
    await new Promise((r) => server.close(r));
  }
}
