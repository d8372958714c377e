import assert from 'node:assert/strict';
import type http from 'node:http';
import net from 'node:net';
import { test, type TestContext } from 'node:test';
import WebSocket from 'ws';
import { loopbackLookup, request } from '../../support/client.ts';
import { defer } from '../../support/defer.ts';
import { startTestEdge } from '../../support/edge.ts';
import { asMap } from '../../support/edges.ts';
import { routeToAgent } from '../../support/modules.ts';
import { eventually } from '../../support/services.ts';

/** A plain TCP echo service that also keeps every byte it was sent. */
async function recordingEcho(t: TestContext): Promise<{ port: number; received: () => Buffer }> {
  const chunks: Buffer[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise((r) => server.close(r)));
  return { port: (server.address() as net.AddressInfo).port, received: () => Buffer.concat(chunks) };
}

test('websocket_tcp_converter: WebSocket messages reach a TCP service as raw bytes; its bytes come back as messages', async (t) => {
  const edge = await startTestEdge(t);
  const echo = await recordingEcho(t);
  const route = await routeToAgent(t, edge, 'wstcp.example.com', `tcp://127.0.0.1:${echo.port}`);
  await route.ngrok.edgeModules.edgeRouteWebsocketTcpConverterModule.replace({
    ...route.at,
    module: { enabled: true },
  });
  // The edge answers the handshake itself: the route's response headers apply to its 101.
  await route.ngrok.edgeModules.edgeRouteResponseHeadersModule.replace({
    ...route.at,
    module: { add: asMap({ 'x-frame-options': 'DENY' }), remove: [] },
  });
  await edge.snapshots.settled();

  const ws = new WebSocket(route.url.replace('https:', 'wss:'), {
    ca: edge.caPem,
    lookup: loopbackLookup,
  } as WebSocket.ClientOptions);
  const messages: Array<{ data: Buffer; binary: boolean }> = [];
  ws.on('message', (data: Buffer, binary) => messages.push({ data, binary }));
  const handshake = new Promise<http.IncomingMessage>((resolve) => ws.once('upgrade', resolve));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const answer = await handshake;
  assert.equal(answer.statusCode, 101);
  assert.equal(answer.headers['x-frame-options'], 'DENY');
  assert.equal(answer.headers.upgrade, 'websocket');

  const binary = Buffer.from([0, 1, 2, 0xfe, 0xff]);
  ws.send('hello ');
  ws.send(binary);
  // One message in two fragments: its bytes arrive as one run.
  ws.send('frag', { fin: false });
  ws.send('mented', { fin: true });
  const expected = Buffer.concat([Buffer.from('hello '), binary, Buffer.from('fragmented')]);
  await eventually(() => echo.received().length === expected.length, 5000, 'the bytes at the service');
  assert.deepEqual(echo.received(), expected);
  await eventually(() => Buffer.concat(messages.map((m) => m.data)).length === expected.length, 5000, 'the echo');
  assert.deepEqual(Buffer.concat(messages.map((m) => m.data)), expected);
  assert.ok(messages.every((m) => m.binary));

  // Pings are the edge's to answer; the service never sees them.
  const pong = new Promise((resolve) => ws.once('pong', resolve));
  ws.ping('are you there');
  await pong;
  assert.equal(echo.received().length, expected.length);

  // Closing the WebSocket ends the TCP connection; the service's end closes the WebSocket.
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  ws.close(1000);
  assert.ok([1000, 1005].includes(await closed));

  // Anything but a WebSocket upgrade is refused, as ngrok does.
  const plain = await request(`${route.url}/`, { ca: edge.caPem });
  assert.equal(plain.status, 400);
  assert.equal(plain.headers['ngrok-error-code'], 'ERR_NGROK_3206');
});
