import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { AgentSession } from '../session.ts';
import { readAll, startTestPeer, waitFor } from '../../../test/support/agent-peer.ts';
import { AgentTraffic } from './traffic.ts';
import type { HttpRequestRecord } from './traffic.ts';

async function listen(t: TestContext, server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

async function setup(t: TestContext, traffic: AgentTraffic) {
  const peer = await startTestPeer(t);
  const session = new AgentSession({ serverAddr: peer.addr, ca: peer.caPem, traffic });
  t.after(() => session.close());
  await session.connect();
  return { peer, session };
}

test('requests through a real session are recorded with their tunnel and client, and counted', async (t) => {
  const traffic = new AgentTraffic({ recentRequests: 2 });
  const { peer, session } = await setup(t, traffic);
  const port = await listen(
    t,
    http.createServer((req, res) => res.writeHead(req.url === '/missing' ? 404 : 200).end('body')),
  );
  const web = await session.listen({ name: 'web', forwardsTo: `http://127.0.0.1:${port}` });
  const events: HttpRequestRecord[] = [];
  traffic.on('request', (r) => events.push(r));
  for (const path of ['/a', '/missing', '/c']) {
    const stream = peer.openProxy({ Id: web.id, ClientAddr: '198.51.100.9:4000' });
    stream.end(`GET ${path} HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n`);
    await readAll(stream);
  }
  await waitFor(() => events.length === 3, 'three requests');
  assert.deepEqual(
    events.map((e) => [e.tunnel, e.clientAddr, e.method, e.path, e.status, e.responseBytes]),
    [
      ['web', '198.51.100.9:4000', 'GET', '/a', 200, 4],
      ['web', '198.51.100.9:4000', 'GET', '/missing', 404, 4],
      ['web', '198.51.100.9:4000', 'GET', '/c', 200, 4],
    ],
  );
  assert.deepEqual(
    traffic.recent().map((r) => r.path),
    ['/c', '/missing'],
    'newest first, bounded to 2',
  );
  await waitFor(() => traffic.stats().open === 0, 'connections to close');
  assert.equal(traffic.stats().total, 3);
});

test('without recentRequests no request is kept: each is still counted and reported', async (t) => {
  const traffic = new AgentTraffic();
  const { peer, session } = await setup(t, traffic);
  const port = await listen(
    t,
    http.createServer((_req, res) => res.end('body')),
  );
  const web = await session.listen({ forwardsTo: `http://127.0.0.1:${port}` });
  const events: HttpRequestRecord[] = [];
  traffic.on('request', (r) => events.push(r));
  for (const path of ['/a', '/b']) {
    const stream = peer.openProxy({ Id: web.id });
    stream.end(`GET ${path} HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n`);
    await readAll(stream);
  }
  await waitFor(() => events.length === 2, 'two requests');
  assert.deepEqual(traffic.recent(), []);
  assert.deepEqual(
    [...traffic.tunnels().values()].map((tunnel) => tunnel.requestsByClass[2]),
    [2],
  );
});

test('a TCP tunnel is counted, never parsed, and its bytes pass exactly', async (t) => {
  const traffic = new AgentTraffic({ recentRequests: 10 });
  const { peer, session } = await setup(t, traffic);
  const port = await listen(
    t,
    net.createServer({ allowHalfOpen: true }, (s) => s.pipe(s)),
  );
  const db = await session.listen({ proto: 'tcp', forwardsTo: `127.0.0.1:${port}` });
  // Looks like HTTP on purpose: a tcp tunnel must not be tapped at all.
  const payload = Buffer.concat([Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.alloc(200_000, 0x16)]);
  const stream = peer.openProxy({ Id: db.id, Proto: 'tcp' });
  stream.end(payload);
  assert.deepEqual(await readAll(stream), payload);
  assert.deepEqual(traffic.recent(), []);
  assert.equal(traffic.stats().total, 1);
});

test('an http tunnel carrying something else: tracking stops, the bytes still pass exactly', async (t) => {
  const traffic = new AgentTraffic({ recentRequests: 10 });
  const { peer, session } = await setup(t, traffic);
  const port = await listen(
    t,
    net.createServer({ allowHalfOpen: true }, (s) => s.pipe(s)),
  );
  const web = await session.listen({ forwardsTo: `http://127.0.0.1:${port}` });
  const payload = Buffer.concat([Buffer.from('16030100f5010000f10303', 'hex'), Buffer.alloc(100_000, 0x0a)]);
  const stream = peer.openProxy({ Id: web.id });
  stream.end(payload);
  assert.deepEqual(await readAll(stream), payload);
  assert.deepEqual(traffic.recent(), []);
});
