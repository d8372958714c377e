import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { StreamType } from '../protocol/messages.ts';
import { readJson } from '../protocol/rpc.ts';
import { AgentSession } from './session.ts';
import { readAll, startTestPeer, waitFor } from '../../test/support/agent-peer.ts';
import type { TestPeer } from '../../test/support/agent-peer.ts';
import { freePort } from '../../test/support/services.ts';

async function setup(t: TestContext): Promise<{ peer: TestPeer; session: AgentSession }> {
  const peer = await startTestPeer(t);
  const session = new AgentSession({ serverAddr: peer.addr, ca: peer.caPem, backoff: { baseMs: 20, capMs: 100 } });
  t.after(() => session.close());
  await session.connect();
  return { peer, session };
}

async function listen(t: TestContext, server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

test('a proxy stream reaches the local HTTP service and the response comes back (half-close included)', async (t) => {
  const { peer, session } = await setup(t);
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => res.end(`${req.method} ${req.url} host=${req.headers.host} body=${body}`));
  });
  const port = await listen(t, server);
  const web = await session.listen({ proto: 'http', forwardsTo: `http://localhost:${port}` });
  for (let i = 0; i < 2; i++) {
    const stream = peer.openProxy({ Id: web.id });
    stream.end('POST /hello?x=1 HTTP/1.1\r\nHost: app.test\r\nContent-Length: 4\r\nConnection: close\r\n\r\nping');
    const response = (await readAll(stream)).toString();
    assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(response, /POST \/hello\?x=1 host=app\.test body=ping$/);
  }
});

test('a tcp tunnel copies bytes both ways and passes a half-close through', async (t) => {
  const { peer, session } = await setup(t);
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    // Answers only after our FIN arrived: proves the half-close reached the service.
    s.on('end', () => s.end(Buffer.concat(chunks).reverse()));
  });
  const port = await listen(t, server);
  const db = await session.listen({ proto: 'tcp', forwardsTo: `127.0.0.1:${port}` });
  const stream = peer.openProxy({ Id: db.id, Proto: 'tcp' });
  const payload = Buffer.alloc(600_000, 7);
  payload[0] = 1;
  stream.end(payload);
  const echoed = await readAll(stream);
  assert.equal(echoed.length, payload.length);
  assert.equal(echoed.at(-1), 1);
});

test('upstream refused on an http tunnel: a 502 page naming ERR_EDGE_UPSTREAM_REFUSED and the address', async (t) => {
  const { peer, session } = await setup(t);
  const port = await freePort();
  const web = await session.listen({ proto: 'http', forwardsTo: `http://127.0.0.1:${port}` });
  const stream = peer.openProxy({ Id: web.id });
  stream.write('GET / HTTP/1.1\r\nHost: app.test\r\n\r\n');
  const response = (await readAll(stream)).toString();
  assert.match(response, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
  assert.match(response, /ERR_EDGE_UPSTREAM_REFUSED/);
  assert.match(response, new RegExp(`http://127\\.0\\.0\\.1:${port}`));
});

test('upstream refused on a tcp tunnel, an unknown tunnel id, an unknown stream type: the stream ends, the session lives', async (t) => {
  const { peer, session } = await setup(t);
  const db = await session.listen({ proto: 'tcp', forwardsTo: `127.0.0.1:${await freePort()}` });
  const refused = peer.openProxy({ Id: db.id, Proto: 'tcp' });
  assert.equal((await readAll(refused)).length, 0);
  const unknown = peer.openProxy({ Id: 'tun_nobody' });
  assert.equal((await readAll(unknown)).length, 0);
  const odd = peer.latest().openStream(77);
  odd.write('x');
  await readAll(odd);
  assert.equal(odd.destroyed, true);
  // Still usable.
  const web = await session.listen({ forwardsTo: 'http://localhost:1' });
  assert.ok(web.id);
  assert.equal(session.state, 'connected');
});

test('StopTunnel closes the listener with the edge message, then the agent unbinds it', async (t) => {
  const { peer, session } = await setup(t);
  const web = await session.listen({ forwardsTo: 'http://localhost:1' });
  const other = await session.listen({ forwardsTo: 'http://localhost:2' });
  const stopped = once(session, 'tunnel-stopped');
  const closed = once(web, 'close');
  peer.command(StreamType.StopTunnel, {
    Id: web.id,
    Message: 'credential revoked',
    ErrorCode: 'ERR_AUTHTOKEN_INVALID',
  });
  const [listener, reason] = await stopped;
  assert.equal(listener, web);
  assert.deepEqual(reason, { message: 'credential revoked', errorCode: 'ERR_AUTHTOKEN_INVALID' });
  assert.deepEqual(await closed, [reason]);
  assert.equal(web.closed, true);
  await waitFor(() => peer.of(StreamType.Unbind).length === 1, 'Unbind');
  assert.deepEqual(peer.of(StreamType.Unbind)[0]!.body, { Id: web.id });
  assert.deepEqual(session.tunnels, [other]);
});

test('Update is answered "not supported"; Restart is answered {} and reconnects; Stop is answered {} and closes', async (t) => {
  const { peer, session } = await setup(t);
  const update = peer.command(StreamType.Update, { Version: '9.9.9', PermitMajorVersion: false });
  assert.deepEqual(await readJson(update), { Error: 'update is not supported by the portico agent' });

  const reconnected = once(session, 'reconnected');
  const restart = peer.command(StreamType.Restart, {});
  assert.deepEqual(await readJson(restart), {});
  await reconnected;
  assert.equal(peer.conns.length, 2);

  const stop = peer.command(StreamType.Stop, {});
  const stopEvent = once(session, 'stop');
  assert.deepEqual(await readJson(stop), {});
  await stopEvent;
  assert.equal(session.state, 'closed');
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(peer.conns.length, 2);
});

test('heartbeats the edge opens are echoed', async (t) => {
  const { peer } = await setup(t);
  const beat = peer.latest().openStream(StreamType.Heartbeat);
  beat.write(Buffer.from([1, 2, 3, 4]));
  const [echo] = (await once(beat, 'data')) as [Buffer];
  assert.deepEqual([...echo], [1, 2, 3, 4]);
  beat.destroy();
});
