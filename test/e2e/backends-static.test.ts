import assert from 'node:assert/strict';
import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { test, type TestContext } from 'node:test';
import type { Ngrok } from '@ngrok/ngrok-api';
import WebSocket, { WebSocketServer } from 'ws';
import { apiClient } from '../support/api.ts';
import { loopbackLookup, request } from '../support/client.ts';
import { defer } from '../support/defer.ts';
import { asMap, httpsEdge, reserve } from '../support/edges.ts';
import { startTestEdge } from '../support/edge.ts';
import { eventually, freePort, startEchoService, startHttpService } from '../support/services.ts';
import { issueTestCert, makeTestCa } from '../support/x509-pki.ts';
import { eventsAtLeast, startReceiver, subscribeReceiver } from './events/receiver.ts';

/** A static backend forwarding to `address`, over TLS when `tls`. */
async function staticTo(ngrok: Ngrok, address: string, tls = false): Promise<string> {
  return (await ngrok.backends.staticBackends.create({ address, tls: { enabled: tls } })).id;
}

/** One public request through the edge's HTTPS port to `host`. */
function get(edge: { ports: { https: number }; caPem: string }, host: string, path = '/') {
  return request(`https://${host}:${edge.ports.https}${path}`, { ca: edge.caPem });
}

/** Sends `text` on `socket`, half-closes, and resolves with everything read back once it closes. */
async function echoThrough(socket: net.Socket, text: string): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.end(text);
  await new Promise((r) => socket.once('close', r));
  return Buffer.concat(chunks).toString();
}

/** An HTTPS service on 127.0.0.1 serving `cert`, closed after the test. */
async function startHttpsService(
  t: TestContext,
  cert: { certPem: string; keyPem: string },
  handler: http.RequestListener,
) {
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, handler);
  let handshakes = 0;
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { port: (server.address() as net.AddressInfo).port, handshakes: () => handshakes };
}

/**
 * A WebSocket echo on `server` that greets each client first; `upgrades` keeps the headers of
 * each upgrade request it accepted.
 */
function serveWebSocketEcho(t: TestContext, server: http.Server) {
  const upgrades: http.IncomingHttpHeaders[] = [];
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    upgrades.push(req.headers);
    ws.send('hello from the service');
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  // Upgraded connections are the WebSocket server's, not the HTTP server's, to close.
  defer(t, () => (wss.clients.forEach((c) => c.terminate()), wss.close()));
  return { upgrades };
}

/** A WebSocket client through the edge's HTTPS port to `host`. */
function wsTo(edge: { ports: { https: number }; caPem: string }, host: string): WebSocket {
  return new WebSocket(`wss://${host}:${edge.ports.https}/ws`, {
    ca: edge.caPem,
    lookup: loopbackLookup,
  } as WebSocket.ClientOptions);
}

/** Opens a WebSocket to `host`, sends `sent`, and resolves with every message received once as many came back after the greeting. */
async function wsEcho(edge: { ports: { https: number }; caPem: string }, host: string, sent: string[]) {
  const ws = wsTo(edge, host);
  const received: string[] = [];
  const done = new Promise<void>((resolve) =>
    ws.on('message', (data) => received.push(String(data)) === sent.length + 1 && resolve()),
  );
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  for (const m of sent) ws.send(m);
  await done;
  ws.close();
  return received;
}

/** The edge's answer to a WebSocket upgrade it refused: status and headers. */
function wsRefusal(edge: { ports: { https: number }; caPem: string }, host: string) {
  const ws = wsTo(edge, host);
  ws.on('error', () => {});
  return new Promise<{ status?: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    ws.once('open', () => reject(new Error(`${host}: the upgrade went through`)));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode, headers: res.headers });
    });
  });
}

test('HTTPS edge route with a static backend: requests reach the address with no agent, Host kept, body streamed', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const seen: Array<{ host?: string; proto?: string; hops?: string; body: string }> = [];
  const service = await startHttpService(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        host: req.headers.host,
        proto: req.headers['x-forwarded-proto'] as string,
        hops: req.headers['portico-edge-hops'] as string,
        body: Buffer.concat(chunks).toString(),
      });
      res.setHeader('x-served-by', 'static');
      res.end(`${req.method} ${req.url}`);
    });
  });
  await reserve(ngrok, 'static.example.com');
  await httpsEdge(
    ngrok,
    ['static.example.com:443'],
    [{ backendId: await staticTo(ngrok, `127.0.0.1:${service.port}`) }],
  );
  await edge.snapshots.settled();
  assert.equal(edge.registry.labeledTunnels({}).length, 0);

  const res = await get(edge, 'static.example.com', '/a/b?c=1');
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'GET /a/b?c=1');
  assert.equal(res.headers['x-served-by'], 'static');
  assert.equal(seen[0]!.host, `static.example.com:${edge.ports.https}`);
  assert.equal(seen[0]!.proto, 'https');
  assert.ok(seen[0]!.hops, 'the edge hops header goes along (loop detection between edges)');

  // The route's request_headers module may set Host; the service sees that one.
  await reserve(ngrok, 'rewrite.example.com');
  const rewrite = await ngrok.edges.edgesHttps.create({ hostports: ['rewrite.example.com:443'] });
  await ngrok.edges.edgesHttpsRoutes.create({
    edgeId: rewrite.id,
    matchType: 'path_prefix',
    match: '/',
    backend: { backendId: await staticTo(ngrok, `127.0.0.1:${service.port}`) },
    requestHeaders: { add: asMap({ host: 'internal.example' }), remove: [] },
  });
  await edge.snapshots.settled();
  await get(edge, 'rewrite.example.com');
  assert.equal(seen.at(-1)!.host, 'internal.example');

  const big = Buffer.alloc(2 * 1024 * 1024, 'x');
  const posted = await request(`https://static.example.com:${edge.ports.https}/upload`, {
    ca: edge.caPem,
    method: 'POST',
    body: big,
  });
  assert.equal(posted.body.toString(), 'POST /upload');
  assert.equal(seen.at(-1)!.body.length, big.length);
});

test("a static backend keeps its connections: requests reuse one, also over TLS; one idle past the service's Keep-Alive hint is closed by the edge first and replaced", async (t) => {
  const ca = await makeTestCa('Static Keep-Alive Test Root');
  const cert = await issueTestCert(ca, { commonName: 'localhost', dnsNames: ['localhost'], usage: 'server' });
  const edge = await startTestEdge(t, { config: { staticBackends: { ca: [ca.certPem] } } });
  const ngrok = apiClient(edge);
  const plain = await startHttpService(t, (req, res) => res.end(`${req.method} ${req.url}`));
  // The service closes a connection idle for 3 s, and says so (Keep-Alive: timeout=3).
  plain.server.keepAliveTimeout = 3000;
  let plainConnections = 0;
  // How each connection ended: 'edge' when the edge closed it (its FIN came first), else 'service'.
  const closes: Array<Promise<'edge' | 'service'>> = [];
  plain.server.on('connection', (socket: net.Socket) => {
    plainConnections++;
    let ended = false;
    socket.once('end', () => (ended = true));
    closes.push(new Promise((resolve) => socket.once('close', () => resolve(ended ? 'edge' : 'service'))));
  });
  const secure = await startHttpsService(t, cert, (req, res) => res.end(req.url));
  await reserve(ngrok, 'kept.example.com');
  await reserve(ngrok, 'kept-tls.example.com');
  await httpsEdge(ngrok, ['kept.example.com:443'], [{ backendId: await staticTo(ngrok, `127.0.0.1:${plain.port}`) }]);
  await httpsEdge(
    ngrok,
    ['kept-tls.example.com:443'],
    [{ backendId: await staticTo(ngrok, `localhost:${secure.port}`, true) }],
  );
  await edge.snapshots.settled();

  for (let i = 0; i < 5; i++) assert.equal((await get(edge, 'kept.example.com', `/${i}`)).body.toString(), `GET /${i}`);
  const posted = await request(`https://kept.example.com:${edge.ports.https}/up`, {
    ca: edge.caPem,
    method: 'POST',
    body: Buffer.alloc(100_000, 'x'),
  });
  assert.equal(posted.body.toString(), 'POST /up');
  assert.equal(plainConnections, 1, 'six requests, one connection');

  // Idle past the service's hint less a second, the edge closes the connection before the
  // service would (so a request never meets it closing), and the next request dials anew.
  assert.equal(await closes[0], 'edge', 'the edge let go of the idle connection first');
  assert.equal((await get(edge, 'kept.example.com', '/later')).status, 200);
  assert.equal(plainConnections, 2);

  for (let i = 0; i < 3; i++) assert.equal((await get(edge, 'kept-tls.example.com', `/${i}`)).body.toString(), `/${i}`);
  assert.equal(secure.handshakes(), 1, 'three requests, one TLS handshake');
});

test('a kept connection the service dropped as a request went out: a request without a body goes again on a new one, one with a body gets 502', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  // Answers the first request of each connection and keeps it open, then drops it at the next.
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const service = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    let requests = 0;
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      head = '';
      if (++requests > 1) return void socket.destroy();
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: keep-alive\r\n\r\nfirst');
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise<void>((r) => (sockets.forEach((c) => c.destroy()), service.close(() => r()))));
  const port = (service.address() as net.AddressInfo).port;
  await reserve(ngrok, 'dropped.example.com');
  await httpsEdge(ngrok, ['dropped.example.com:443'], [{ backendId: await staticTo(ngrok, `127.0.0.1:${port}`) }]);
  await edge.snapshots.settled();

  assert.equal((await get(edge, 'dropped.example.com')).body.toString(), 'first');
  const again = await get(edge, 'dropped.example.com');
  assert.equal(again.status, 200);
  assert.equal(again.body.toString(), 'first');
  assert.equal(connections, 2, 'sent again on a new connection');

  // That one was dialed for the retry alone; the next request leaves a new kept one.
  assert.equal((await get(edge, 'dropped.example.com')).body.toString(), 'first');
  assert.equal(connections, 3);
  const posted = await request(`https://dropped.example.com:${edge.ports.https}/`, {
    ca: edge.caPem,
    method: 'POST',
    body: Buffer.from('once'),
  });
  assert.equal(posted.status, 502);
  assert.equal(posted.headers['portico-error-code'], 'ERR_EDGE_UPSTREAM_REFUSED');
  assert.equal(connections, 3, 'a body is never sent twice');
});

test('TCP edge and TLS edge with a static backend splice bytes to the address', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const echo = await startEchoService(t);
  const backendId = await staticTo(ngrok, `127.0.0.1:${echo.port}`);
  const tcpEdge = await ngrok.edges.edgesTcp.create({ backend: { backendId } });
  await reserve(ngrok, 'tls-static.example.com');
  await ngrok.edges.edgesTls.create({
    hostports: ['tls-static.example.com:443'],
    backend: { backendId },
    tlsTermination: { terminateAt: 'edge' },
  });
  await edge.snapshots.settled();

  const port = Number(tcpEdge.hostports![0]!.split(':')[1]);
  for (let i = 0; i < 3; i++) assert.equal(await echoThrough(net.connect(port, '127.0.0.1'), `tcp ${i}`), `tcp ${i}`);

  const client = tls.connect({
    host: '127.0.0.1',
    port: edge.ports.https,
    servername: 'tls-static.example.com',
    ca: edge.caPem,
  });
  await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
  const got = new Promise<string>((resolve) => client.once('data', (d: Buffer) => resolve(d.toString())));
  client.write('over a tls edge');
  assert.equal(await got, 'over a tls edge');
  client.destroy();
});

test('tls.enabled: the upstream certificate is verified (system roots plus the configured CA)', async (t) => {
  const ca = await makeTestCa('Static Upstream Test Root');
  const cert = await issueTestCert(ca, { commonName: 'localhost', dnsNames: ['localhost'], usage: 'server' });
  const upstream = await startHttpsService(t, cert, (req, res) => res.end(`secure ${req.headers.host}`));
  const edge = await startTestEdge(t, { config: { staticBackends: { ca: [ca.certPem] } } });
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'secure.example.com', 'wrong-name.example.com', 'plain.example.com');
  await httpsEdge(
    ngrok,
    ['secure.example.com:443'],
    [{ backendId: await staticTo(ngrok, `localhost:${upstream.port}`, true) }],
  );
  // The certificate names localhost, not 127.0.0.1: verification fails.
  await httpsEdge(
    ngrok,
    ['wrong-name.example.com:443'],
    [{ backendId: await staticTo(ngrok, `127.0.0.1:${upstream.port}`, true) }],
  );
  await edge.snapshots.settled();

  const ok = await get(edge, 'secure.example.com');
  assert.equal(ok.status, 200);
  assert.equal(ok.body.toString(), `secure secure.example.com:${edge.ports.https}`);

  const refused = await get(edge, 'wrong-name.example.com');
  assert.equal(refused.status, 502);
  assert.equal(refused.headers['ngrok-error-code'], 'ERR_NGROK_8012');

  // Without the CA configured, the test CA is not trusted.
  const other = await startTestEdge(t);
  const ngrok2 = apiClient(other);
  await reserve(ngrok2, 'secure.example.com');
  await httpsEdge(
    ngrok2,
    ['secure.example.com:443'],
    [{ backendId: await staticTo(ngrok2, `localhost:${upstream.port}`, true) }],
  );
  await other.snapshots.settled();
  const untrusted = await get(other, 'secure.example.com');
  assert.equal(untrusted.status, 502);
  assert.equal(untrusted.headers['portico-error-code'], 'ERR_EDGE_UPSTREAM_REFUSED');
  assert.match(untrusted.body.toString(), /ERR_NGROK_8012/);
});

test('upstream down: 502 ERR_NGROK_8012; a connect that never completes gives up at the connect timeout', async (t) => {
  const edge = await startTestEdge(t, { config: { timeouts: { upstreamConnect: 300 } } });
  const ngrok = apiClient(edge);
  const dead = await freePort();
  // Accepts TCP but never answers a TLS ClientHello: the handshake cannot finish.
  const held = new Set<net.Socket>();
  const silent = net.createServer((s) => held.add(s.on('error', () => {})));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise<void>((r) => (held.forEach((s) => s.destroy()), silent.close(() => r()))));
  const silentPort = (silent.address() as net.AddressInfo).port;
  await reserve(ngrok, 'down.example.com', 'slow.example.com');
  await httpsEdge(ngrok, ['down.example.com:443'], [{ backendId: await staticTo(ngrok, `127.0.0.1:${dead}`) }]);
  await httpsEdge(
    ngrok,
    ['slow.example.com:443'],
    [{ backendId: await staticTo(ngrok, `127.0.0.1:${silentPort}`, true) }],
  );
  const tcpEdge = await ngrok.edges.edgesTcp.create({
    backend: { backendId: await staticTo(ngrok, `127.0.0.1:${dead}`) },
  });
  await edge.snapshots.settled();

  const down = await get(edge, 'down.example.com');
  assert.equal(down.status, 502);
  assert.equal(down.headers['ngrok-error-code'], 'ERR_NGROK_8012');

  const started = Date.now();
  const slow = await get(edge, 'slow.example.com');
  assert.equal(slow.status, 502);
  assert.equal(slow.headers['ngrok-error-code'], 'ERR_NGROK_8012');
  assert.ok(Date.now() - started < 5000, `gave up after ${Date.now() - started} ms`);

  // A TCP edge whose address is down closes the public connection.
  const port = Number(tcpEdge.hostports![0]!.split(':')[1]);
  assert.equal(await echoThrough(net.connect(port, '127.0.0.1'), 'hello?'), '');
});

test('static backends as failover and weighted children', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const a = await startHttpService(t, (_req, res) => res.end('a'));
  const b = await startHttpService(t, (_req, res) => res.end('b'));
  const dead = await staticTo(ngrok, `127.0.0.1:${await freePort()}`);
  const toA = await staticTo(ngrok, `127.0.0.1:${a.port}`);
  const toB = await staticTo(ngrok, `127.0.0.1:${b.port}`);
  const { failoverBackends, weightedBackends } = ngrok.backends;
  const failover = await failoverBackends.create({ backends: [dead, toA] });
  const weighted = await weightedBackends.create({ backends: asMap({ [toA]: 1, [toB]: 1, [dead]: 0 }) });
  const allDead = await failoverBackends.create({ backends: [dead, dead] });
  await reserve(ngrok, 'fo.example.com', 'wd.example.com', 'none.example.com');
  await httpsEdge(ngrok, ['fo.example.com:443'], [{ backendId: failover.id }]);
  await httpsEdge(ngrok, ['wd.example.com:443'], [{ backendId: weighted.id }]);
  await httpsEdge(ngrok, ['none.example.com:443'], [{ backendId: allDead.id }]);
  // A TCP edge fails over too.
  const echo = await startEchoService(t);
  const tcpFailover = await failoverBackends.create({
    backends: [dead, await staticTo(ngrok, `127.0.0.1:${echo.port}`)],
  });
  const tcpEdge = await ngrok.edges.edgesTcp.create({ backend: { backendId: tcpFailover.id } });
  await edge.snapshots.settled();

  for (let i = 0; i < 3; i++) assert.equal((await get(edge, 'fo.example.com')).body.toString(), 'a');
  const posted = await request(`https://fo.example.com:${edge.ports.https}/`, {
    ca: edge.caPem,
    method: 'POST',
    body: 'x',
  });
  assert.equal(
    posted.body.toString(),
    'a',
    'a request with a body fails over too: nothing was sent to the dead address',
  );

  const seen = new Set<string>();
  for (let i = 0; i < 40 && seen.size < 2; i++) seen.add((await get(edge, 'wd.example.com')).body.toString());
  assert.deepEqual([...seen].sort(), ['a', 'b']);

  const none = await get(edge, 'none.example.com');
  assert.equal(none.status, 502);
  assert.equal(none.headers['ngrok-error-code'], 'ERR_NGROK_8012');

  const port = Number(tcpEdge.hostports![0]!.split(':')[1]);
  assert.equal(await echoThrough(net.connect(port, '127.0.0.1'), 'failed over'), 'failed over');
});

test("a static backend may not point at the edge's own listeners", async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'loop.example.com', 'api.example.com');
  await httpsEdge(
    ngrok,
    ['loop.example.com:443'],
    [{ backendId: await staticTo(ngrok, `127.0.0.1:${edge.ports.https}`, true) }],
  );
  // The API by name: every address the name resolves to is checked.
  await httpsEdge(
    ngrok,
    ['api.example.com:443'],
    [{ backendId: await staticTo(ngrok, `localhost:${edge.ports.api}`) }],
  );
  const tcpBackend = await staticTo(ngrok, '127.0.0.1:9');
  const tcpEdge = await ngrok.edges.edgesTcp.create({ backend: { backendId: tcpBackend } });
  // Its own TCP edge port, too: each connection would dial itself again.
  const port = Number(tcpEdge.hostports![0]!.split(':')[1]);
  await ngrok.backends.staticBackends.update({ id: tcpBackend, address: `127.0.0.1:${port}`, tls: { enabled: false } });
  await edge.snapshots.settled();

  for (const host of ['loop.example.com', 'api.example.com']) {
    const res = await get(edge, host);
    assert.equal(res.status, 508, host);
    assert.equal(res.headers['portico-error-code'], 'ERR_EDGE_STATIC_BACKEND_LOOP');
    const upgrade = await wsRefusal(edge, host);
    assert.equal(upgrade.status, 508, `${host} (WebSocket)`);
    assert.equal(upgrade.headers['portico-error-code'], 'ERR_EDGE_STATIC_BACKEND_LOOP');
  }
  assert.equal(await echoThrough(net.connect(port, '127.0.0.1'), 'GET / HTTP/1.1\r\n\r\n'), '');
});

test('http_request_complete.v0 names the static backend and no tunnel', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const receiver = await startReceiver(t);
  const service = await startHttpService(t, (_req, res) => res.end('ok'));
  const backendId = await staticTo(ngrok, `127.0.0.1:${service.port}`);
  await reserve(ngrok, 'events-static.example.com');
  await httpsEdge(ngrok, ['events-static.example.com:443'], [{ backendId }]);
  await subscribeReceiver(ngrok, receiver, [
    { type: 'http_request_complete.v0', fields: ['backend.id', 'tunnel.id', 'http.response.status_code'] },
  ]);
  await edge.snapshots.settled();
  await edge.events.settled();

  assert.equal((await get(edge, 'events-static.example.com')).status, 200);
  const [event] = await eventsAtLeast(receiver, 1);
  assert.deepEqual(event!.object.backend, { id: backendId });
  assert.equal((event!.object.tunnel as { id?: string } | undefined)?.id, undefined);
  assert.deepEqual(event!.object.http, { response: { status_code: 200 } });
});

test('WebSocket upgrades through a static backend, alone and as a failover or weighted child', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const service = await startHttpService(t, (_req, res) => res.end('not a websocket'));
  const { upgrades } = serveWebSocketEcho(t, service.server);
  const toWs = await staticTo(ngrok, `127.0.0.1:${service.port}`);
  const dead = await staticTo(ngrok, `127.0.0.1:${await freePort()}`);
  const { failoverBackends, weightedBackends } = ngrok.backends;
  const failover = await failoverBackends.create({ backends: [dead, toWs] });
  const weighted = await weightedBackends.create({ backends: asMap({ [toWs]: 1, [dead]: 0 }) });
  const allDead = await failoverBackends.create({ backends: [dead, dead] });
  await reserve(ngrok, 'ws.example.com', 'ws-fo.example.com', 'ws-wd.example.com', 'ws-down.example.com');
  await httpsEdge(ngrok, ['ws.example.com:443'], [{ backendId: toWs }]);
  await httpsEdge(ngrok, ['ws-fo.example.com:443'], [{ backendId: failover.id }]);
  await httpsEdge(ngrok, ['ws-wd.example.com:443'], [{ backendId: weighted.id }]);
  await httpsEdge(ngrok, ['ws-down.example.com:443'], [{ backendId: allDead.id }]);
  await edge.snapshots.settled();

  const big = 'x'.repeat(300_000);
  const received = await wsEcho(edge, 'ws.example.com', ['one', 'two', big]);
  assert.deepEqual(received.slice(0, 3), ['hello from the service', 'one', 'two']);
  assert.equal(received[3], big);
  // The same request headers as through a tunnel: X-Forwarded-*, the edge hops.
  assert.equal(upgrades[0]!.host, `ws.example.com:${edge.ports.https}`);
  assert.equal(upgrades[0]!['x-forwarded-proto'], 'https');
  assert.ok(upgrades[0]!['portico-edge-hops']);

  // The dead first child is passed over for the next.
  assert.deepEqual(await wsEcho(edge, 'ws-fo.example.com', ['failed over']), ['hello from the service', 'failed over']);
  assert.deepEqual(await wsEcho(edge, 'ws-wd.example.com', ['weighted']), ['hello from the service', 'weighted']);

  // No address reachable: 502 ERR_NGROK_8012, as for a plain request.
  const down = await wsRefusal(edge, 'ws-down.example.com');
  assert.equal(down.status, 502);
  assert.equal(down.headers['ngrok-error-code'], 'ERR_NGROK_8012');
  assert.equal(down.headers['portico-error-code'], 'ERR_EDGE_UPSTREAM_REFUSED');

  // A service that answers the upgrade with something else: relayed as is.
  const plain = await request(`https://ws.example.com:${edge.ports.https}/`, { ca: edge.caPem });
  assert.equal(plain.body.toString(), 'not a websocket');
});

test('WebSocket through a static backend with tls.enabled: the upstream certificate is verified', async (t) => {
  const ca = await makeTestCa('Static WebSocket Test Root');
  const cert = await issueTestCert(ca, { commonName: 'localhost', dnsNames: ['localhost'], usage: 'server' });
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => res.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const { upgrades } = serveWebSocketEcho(t, server);
  const port = (server.address() as net.AddressInfo).port;
  const edge = await startTestEdge(t, { config: { staticBackends: { ca: [ca.certPem] } } });
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'wss-static.example.com', 'wss-wrong-name.example.com');
  await httpsEdge(
    ngrok,
    ['wss-static.example.com:443'],
    [{ backendId: await staticTo(ngrok, `localhost:${port}`, true) }],
  );
  await httpsEdge(
    ngrok,
    ['wss-wrong-name.example.com:443'],
    [{ backendId: await staticTo(ngrok, `127.0.0.1:${port}`, true) }],
  );
  await edge.snapshots.settled();

  assert.deepEqual(await wsEcho(edge, 'wss-static.example.com', ['over tls']), ['hello from the service', 'over tls']);
  assert.equal(upgrades.length, 1);
  const refused = await wsRefusal(edge, 'wss-wrong-name.example.com');
  assert.equal(refused.status, 502);
  assert.equal(refused.headers['ngrok-error-code'], 'ERR_NGROK_8012');
});

test('websocket_tcp_converter through a static backend: messages reach a TCP service as bytes and come back', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const echo = await startEchoService(t);
  await reserve(ngrok, 'wstcp-static.example.com', 'wstcp-fo.example.com', 'wstcp-down.example.com');
  const toEcho = await staticTo(ngrok, `127.0.0.1:${echo.port}`);
  const dead = await staticTo(ngrok, `127.0.0.1:${await freePort()}`);
  const failover = await ngrok.backends.failoverBackends.create({ backends: [dead, toEcho] });
  for (const [host, backendId] of [
    ['wstcp-static.example.com', toEcho],
    ['wstcp-fo.example.com', failover.id],
    ['wstcp-down.example.com', dead],
  ] as const) {
    const { id, routeIds } = await httpsEdge(ngrok, [`${host}:443`], [{ backendId }]);
    await ngrok.edgeModules.edgeRouteWebsocketTcpConverterModule.replace({
      edgeId: id,
      id: routeIds[0]!,
      module: { enabled: true },
    });
  }
  await edge.snapshots.settled();

  for (const host of ['wstcp-static.example.com', 'wstcp-fo.example.com']) {
    const ws = wsTo(edge, host);
    const chunks: Buffer[] = [];
    ws.on('message', (data: Buffer) => chunks.push(data));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send('hello ');
    ws.send(Buffer.from([0, 1, 2, 0xff]));
    const expected = Buffer.concat([Buffer.from('hello '), Buffer.from([0, 1, 2, 0xff])]);
    await eventually(() => Buffer.concat(chunks).length === expected.length, 5000, `the echo via ${host}`);
    assert.deepEqual(Buffer.concat(chunks), expected);
    ws.close();
  }
  const down = await wsRefusal(edge, 'wstcp-down.example.com');
  assert.equal(down.status, 502);
  assert.equal(down.headers['ngrok-error-code'], 'ERR_NGROK_8012');
});
