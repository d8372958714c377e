import { defer } from '../support/defer.ts';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { test } from 'node:test';
import WebSocket from 'ws';
import { loopbackLookup, request, requestDigest } from '../support/client.ts';
import { patternDigest, patternStream } from '../support/data.ts';
import { forwardTo, startTestEdge } from '../support/edge.ts';
import { startHttpService, startWebSocketEcho } from '../support/services.ts';

const MiB = 1024 * 1024;

test('our agent serves HTTP over the tunnel: GET, headers, keep-alive, 404 without a tunnel', async (t) => {
  const edge = await startTestEdge(t);
  const seen: Array<{ url?: string; headers: http.IncomingHttpHeaders; socket: number }> = [];
  const sockets = new Map<unknown, number>();
  const service = await startHttpService(t, (req, res) => {
    if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
    seen.push({ url: req.url, headers: req.headers, socket: sockets.get(req.socket)! });
    res.setHeader('content-type', 'text/plain');
    res.end(`hello ${req.url}`);
  });
  const tunnel = await forwardTo(t, edge, { addr: service.port });
  assert.match(tunnel.url, /^https:\/\/[a-z2-7]{12}\.localhost:\d+$/);

  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  defer(t, () => agent.destroy());
  for (let i = 0; i < 3; i++) {
    const res = await request(`${tunnel.url}/path/${i}?q=1`, {
      ca: edge.caPem,
      agent,
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), `hello /path/${i}?q=1`);
  }
  assert.equal(seen.length, 3);
  assert.equal(seen[0]!.headers['x-forwarded-proto'], 'https');
  assert.equal(seen[0]!.headers['x-forwarded-host'], new URL(tunnel.url).host);
  assert.equal(seen[0]!.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
  // The edge keeps its tunnel streams alive: one upstream connection served all three requests.
  assert.equal(new Set(seen.map((s) => s.socket)).size, 1);

  const missing = await request(`https://nobody.localhost:${edge.ports.https}/`, { ca: edge.caPem });
  assert.equal(missing.status, 404);
  assert.equal(missing.headers['portico-error-code'], 'ERR_EDGE_TUNNEL_NOT_FOUND');
  assert.equal(missing.headers['ngrok-error-code'], 'ERR_NGROK_3200');
  assert.match(missing.body.toString(), /<code>ERR_EDGE_TUNNEL_NOT_FOUND<\/code> \(<code>ERR_NGROK_3200<\/code>\)/);

  // The plain-HTTP port redirects an https endpoint's host to HTTPS.
  const viaHttp = await request(`http://${new URL(tunnel.url).hostname}:${edge.ports.http}/x`);
  assert.equal(viaHttp.status, 308);
  assert.equal(viaHttp.headers.location, `${tunnel.url}/x`);
});

test('50 MiB streams both ways, chunked, byte-exact', async (t) => {
  const edge = await startTestEdge(t);
  const size = 50 * MiB;
  const service = await startHttpService(t, (req, res) => {
    if (req.method === 'POST') {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
      });
      req.on('end', () =>
        res.end(
          JSON.stringify({
            bytes,
            sha256: hash.digest('hex'),
            chunked: req.headers['transfer-encoding'] === 'chunked',
          }),
        ),
      );
      return;
    }
    // No content-length: the response is chunked all the way to the client.
    patternStream(size, 7).pipe(res);
  });
  const tunnel = await forwardTo(t, edge, {
    addr: `127.0.0.1:${service.port}`,
  });

  const down = await requestDigest(`${tunnel.url}/download`, { ca: edge.caPem });
  assert.equal(down.status, 200);
  assert.equal(down.bytes, size);
  assert.equal(down.sha256, await patternDigest(size, 7));

  const up = await request(`${tunnel.url}/upload`, { ca: edge.caPem, method: 'POST', body: patternStream(size, 9) });
  const result = JSON.parse(up.body.toString()) as { bytes: number; sha256: string; chunked: boolean };
  assert.equal(result.bytes, size);
  assert.equal(result.sha256, await patternDigest(size, 9));
  assert.equal(result.chunked, true);
});

test('a WebSocket upgrade passes through and echoes', async (t) => {
  const edge = await startTestEdge(t);
  const service = await startWebSocketEcho(t);
  const tunnel = await forwardTo(t, edge, { addr: service.port });

  const ws = new WebSocket(tunnel.url.replace('https:', 'wss:') + '/ws', {
    ca: edge.caPem,
    lookup: loopbackLookup,
  } as WebSocket.ClientOptions);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const replies: string[] = [];
  const done = new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      replies.push(String(data));
      if (replies.length === 3) resolve();
    }),
  );
  for (const m of ['one', 'two', 'x'.repeat(300_000)]) ws.send(m);
  await done;
  assert.deepEqual(
    replies.map((r) => r.slice(0, 10)),
    ['one', 'two', 'x'.repeat(10)],
  );
  assert.equal(replies[2]!.length, 300_000);
  ws.close();
});

test('the agent answers 502 with a code when its local service is down', async (t) => {
  const edge = await startTestEdge(t);
  const service = await startHttpService(t, (_req, res) => res.end());
  const port = service.port;
  await new Promise<void>((r) => {
    service.server.closeAllConnections();
    service.server.close(() => r());
  });
  const tunnel = await forwardTo(t, edge, { addr: port });
  const res = await request(tunnel.url, { ca: edge.caPem });
  assert.equal(res.status, 502);
  assert.match(res.body.toString(), /ERR_EDGE_UPSTREAM_REFUSED/);
});

test('informational responses and Expect: 100-continue: the client gets the final response and its body goes through', async (t) => {
  const edge = await startTestEdge(t);
  const seen: http.IncomingHttpHeaders[] = [];
  const service = await startHttpService(t, (req, res) => {
    seen.push(req.headers);
    if (req.url === '/hints') {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      return void res.end('final');
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.end(`got ${Buffer.concat(chunks).toString()}`));
  });
  const tunnel = await forwardTo(t, edge, { addr: service.port });

  // 103 Early Hints from the service: the edge waits for the final response.
  const hinted = await request(`${tunnel.url}/hints`, { ca: edge.caPem });
  assert.equal(hinted.status, 200);
  assert.equal(hinted.body.toString(), 'final');

  // The client waits for 100 Continue before its body; the edge's server sends it, and the
  // request reaches the service without Expect (already answered).
  const answer = await new Promise<{ status: number; continued: boolean; body: string }>((resolve, reject) => {
    let continued = false;
    const req = https.request(`${tunnel.url}/upload`, {
      method: 'POST',
      ca: edge.caPem,
      lookup: loopbackLookup,
      headers: { expect: '100-continue', 'content-length': '5' },
    });
    req.on('continue', () => {
      continued = true;
      req.end('hello');
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, continued, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
  });
  assert.deepEqual(answer, { status: 200, continued: true, body: 'got hello' });
  assert.equal(seen.at(-1)!.expect, undefined);
});
