import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { test, type TestContext } from 'node:test';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { Tunnel } from '../tunnels/tunnel.ts';
import { forwardHttpToTunnel, type Outcome } from './forward-http.ts';
import { StreamPools } from './stream-pools.ts';

/**
 * What stands behind the tunnel here: a TCP server each "stream" connects to, answering each
 * connection as `answer` says (by its number, from 1). Real sockets, so the tunnel client parses real bytes.
 */
async function agentSide(t: TestContext, answer: (conn: number, socket: net.Socket, head: string) => void) {
  let conns = 0;
  const server = net.createServer((socket) => {
    const conn = ++conns;
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      answer(conn, socket, head);
      head = '';
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as net.AddressInfo).port;
  const tunnel = {
    session: { mux: new EventEmitter() },
    openStream: () => net.connect(port, '127.0.0.1'),
  } as unknown as Tunnel;
  return { tunnel, connections: () => conns };
}

/** A public HTTP server forwarding every request to `tunnel`; `outcomes` records what each resolved. */
async function edgeFront(t: TestContext, tunnel: Tunnel, pools: StreamPools, mayFail = false) {
  const outcomes: Outcome[] = [];
  const server = http.createServer((req, res) => {
    const ex = { req, res, scheme: 'http' as const, requestId: 'req_1', clientAddr: '127.0.0.1:1', hops: '' };
    void forwardHttpToTunnel(tunnel, ex, pools, { edgeType: '', mayFail }).then((outcome) => {
      outcomes.push(outcome);
      if (outcome === 'unavailable') res.writeHead(599).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, outcomes };
}

const ok = (body: string) => `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`;

async function send(url: string, init: { method?: string; body?: string } = {}) {
  const res = await fetch(url, { method: init.method ?? 'GET', body: init.body });
  return { status: res.status, code: res.headers.get('portico-error-code'), body: await res.text() };
}

test('a request without a body whose stream closes before any answer is sent once more on a fresh stream', async (t) => {
  const { tunnel, connections } = await agentSide(t, (conn, socket) =>
    conn === 1 ? socket.destroy() : socket.end(ok(`conn ${conn}`)),
  );
  const front = await edgeFront(t, tunnel, new StreamPools());
  assert.deepEqual(await send(front.url), { status: 200, code: null, body: 'conn 2' });
  assert.equal(connections(), 2);
});

test('a request with a body is never sent twice: a stream lost before the answer is 502 ERR_EDGE_AGENT_GONE', async (t) => {
  const { tunnel, connections } = await agentSide(t, (_conn, socket) => socket.destroy());
  const front = await edgeFront(t, tunnel, new StreamPools());
  const res = await send(front.url, { method: 'POST', body: 'once' });
  assert.equal(res.status, 502);
  assert.equal(res.code, 'ERR_EDGE_AGENT_GONE');
  assert.equal(connections(), 1);
});

test('response headers that do not come within the upstream header timeout answer 504 ERR_NGROK_3008', async (t) => {
  const { tunnel } = await agentSide(t, () => {});
  const front = await edgeFront(t, tunnel, new StreamPools({ upstreamHeaderTimeoutMs: 300 }));
  const res = await send(front.url);
  assert.equal(res.status, 504);
  assert.equal(res.code, 'ERR_NGROK_3008');
});

test('with mayFail, the agent refusing (its service down) or a stream lost leaves the request unavailable', async (t) => {
  const refused =
    'HTTP/1.1 502 Bad Gateway\r\nportico-error-code: ERR_EDGE_UPSTREAM_REFUSED\r\ncontent-length: 2\r\n\r\nno';
  const refusing = await agentSide(t, (_conn, socket) => socket.write(refused));
  const front = await edgeFront(t, refusing.tunnel, new StreamPools(), true);
  assert.equal((await send(front.url)).status, 599);
  assert.equal((await send(front.url)).status, 599);
  // The refusal was read whole: its stream was kept for the second request.
  assert.equal(refusing.connections(), 1);

  const lost = await agentSide(t, (_conn, socket) => socket.destroy());
  const other = await edgeFront(t, lost.tunnel, new StreamPools(), true);
  assert.equal((await send(other.url)).status, 599);
  // Sent once more on a fresh stream first, as without mayFail.
  assert.equal(lost.connections(), 2);
  assert.deepEqual([...front.outcomes, ...other.outcomes], ['unavailable', 'unavailable', 'unavailable']);
});

test('a session with no room for another stream answers 503 ERR_EDGE_AGENT_BUSY, without a retry', async (t) => {
  let opened = 0;
  const tunnel = {
    session: { mux: new EventEmitter() },
    openStream: () => {
      opened++;
      throw new PorticoError(ErrorCode.ERR_MUX_STREAMS_EXHAUSTED, '500 streams open');
    },
  } as unknown as Tunnel;
  const front = await edgeFront(t, tunnel, new StreamPools());
  const res = await send(front.url);
  assert.equal(res.status, 503);
  assert.equal(res.code, 'ERR_EDGE_AGENT_BUSY');
  assert.equal(opened, 1);
});

test('a request target that is not a path (OPTIONS *) answers 400 ERR_EDGE_BAD_REQUEST and opens no stream', async (t) => {
  const { tunnel, connections } = await agentSide(t, (_conn, socket) => socket.end(ok('no')));
  const front = await edgeFront(t, tunnel, new StreamPools());
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(new URL(front.url).port), '127.0.0.1');
    let got = '';
    socket.on('data', (chunk: Buffer) => (got += chunk.toString('latin1')));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
    socket.end('OPTIONS * HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n');
  });
  assert.match(answer, /^HTTP\/1\.1 400 /);
  assert.match(answer, /portico-error-code: ERR_EDGE_BAD_REQUEST/i);
  assert.equal(connections(), 0);
});

test('an agent answering what is not HTTP/1.1, or a head past 16 KiB, gets 502 ERR_EDGE_AGENT_GONE', async (t) => {
  const garbage = await agentSide(t, (_conn, socket) => socket.write('SSH-2.0-OpenSSH_9.6\r\n'));
  const front = await edgeFront(t, garbage.tunnel, new StreamPools());
  const res = await send(front.url);
  assert.deepEqual([res.status, res.code], [502, 'ERR_EDGE_AGENT_GONE']);

  const huge = await agentSide(t, (_conn, socket) =>
    socket.write(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(20 * 1024)}\r\ncontent-length: 0\r\n\r\n`),
  );
  const other = await edgeFront(t, huge.tunnel, new StreamPools());
  const big = await send(other.url);
  assert.deepEqual([big.status, big.code], [502, 'ERR_EDGE_AGENT_GONE']);
});
