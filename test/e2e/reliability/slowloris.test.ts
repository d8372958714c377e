// Idle and header-less connections on every listener are closed after their timeout, and a
// flood of public connections leaves the agent port and the API serving.
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { test, type TestContext } from 'node:test';
import { forward } from '../../../src/agent/forward.ts';
import { request } from '../../support/client.ts';
import { defer } from '../../support/defer.ts';
import { tempDir } from '../../support/edge.ts';
import { spawnEdge } from '../../support/edge-process.ts';
import { eventually, sleep, startHttpService } from '../../support/services.ts';

/** A connection that writes `prelude` (and TLS first when `servername` is given), then trickles `trickle` every 300 ms. */
async function hold(
  t: TestContext,
  port: number,
  o: { tls?: { servername: string; ca: string }; prelude?: string; trickle?: string } = {},
): Promise<{ closedAt: Promise<number> }> {
  const raw = net.connect(port, '127.0.0.1');
  raw.on('error', () => {});
  await new Promise<void>((resolve) => raw.once('connect', resolve));
  let socket: net.Socket = raw;
  if (o.tls) {
    const secure = tls.connect({ socket: raw, servername: o.tls.servername, ca: o.tls.ca });
    secure.on('error', () => {});
    await new Promise<void>((resolve) => secure.once('secureConnect', resolve));
    socket = secure;
  }
  socket.resume();
  if (o.prelude) socket.write(o.prelude);
  const timer = o.trickle ? setInterval(() => socket.writable && socket.write(o.trickle!), 300) : undefined;
  defer(t, () => {
    clearInterval(timer);
    socket.destroy();
  });
  const started = Date.now();
  return {
    closedAt: new Promise((resolve) =>
      raw.once('close', () => {
        clearInterval(timer);
        resolve(Date.now() - started);
      }),
    ),
  };
}

test('slowloris on every listener: idle, header-less and trickling connections are closed after their timeouts', async (t) => {
  const edge = await spawnEdge(t, await tempDir(t), {
    flags: [
      '--handshake-timeout',
      '1s',
      '--read-header-timeout',
      '1s',
      '--idle-timeout',
      '1s',
      '--request-timeout',
      '3s',
    ],
  });
  const svc = await startHttpService(t, (_req, res) => res.end('ok'));
  const ours = await forward({
    addr: svc.port,
    serverAddr: edge.bootstrap.agent_addr,
    caCert: edge.caPem,
    authtoken: edge.bootstrap.authtoken,
    subdomain: 'live',
  });
  defer(t, () => ours.close());
  const tlsTo = (servername: string) => ({ servername, ca: edge.caPem });
  const held = {
    'HTTP, nothing sent': await hold(t, edge.ports.http),
    'HTTP, headers trickling': await hold(t, edge.ports.http, {
      prelude: 'GET / HTTP/1.1\r\nHost: live.localhost\r\n',
      trickle: 'X-A: b\r\n',
    }),
    'HTTP, body trickling': await hold(t, edge.ports.http, {
      prelude: 'POST / HTTP/1.1\r\nHost: live.localhost\r\nContent-Length: 1000\r\n\r\n',
      trickle: 'x',
    }),
    'HTTPS, no ClientHello': await hold(t, edge.ports.https),
    'HTTPS, handshake done, nothing sent': await hold(t, edge.ports.https, { tls: tlsTo('live.localhost') }),
    'HTTPS, headers trickling': await hold(t, edge.ports.https, {
      tls: tlsTo('live.localhost'),
      prelude: 'GET / HTTP/1.1\r\nHost: live.localhost\r\n',
      trickle: 'X-A: b\r\n',
    }),
    'API, nothing sent': await hold(t, edge.ports.api),
    'API, headers trickling': await hold(t, edge.ports.api, {
      prelude: 'GET /health HTTP/1.1\r\nHost: x\r\n',
      trickle: 'X-A: b\r\n',
    }),
    'agent port, no TLS': await hold(t, edge.ports.agent),
    'agent port, TLS done, no Auth': await hold(t, edge.ports.agent, { tls: tlsTo('localhost') }),
  };
  const closed = Object.fromEntries(
    await Promise.all(
      Object.entries(held).map(async ([what, h]) => [
        what,
        await Promise.race([h.closedAt, sleep(10_000).then(() => 'still open')]),
      ]),
    ),
  );
  for (const [what, after] of Object.entries(closed)) assert.equal(typeof after, 'number', `${what}: ${after}`);
  t.diagnostic(`closed after (ms): ${JSON.stringify(closed)}`);

  // A keep-alive connection that goes idle after a request is closed after --idle-timeout.
  const idle = await hold(t, edge.ports.http, { prelude: 'GET / HTTP/1.1\r\nHost: live.localhost\r\n\r\n' });
  assert.equal(typeof (await Promise.race([idle.closedAt, sleep(10_000).then(() => 'still open')])), 'number');
  // The tunnel serves throughout.
  assert.equal((await request(`${ours.url}/`, { ca: edge.caPem })).body.toString(), 'ok');
});

test('a flood of public connections past --max-connections is turned away; the agent port, the API and the tunnel keep serving', async (t) => {
  const edge = await spawnEdge(t, await tempDir(t), { flags: ['--max-connections', '40'] });
  const svc = await startHttpService(t, (_req, res) => res.end('ok'));
  const open: net.Socket[] = [];
  defer(t, () => open.forEach((s) => s.destroy()));
  let turnedAway = 0;
  for (let i = 0; i < 60; i++) {
    const socket = net.connect(i % 2 ? edge.ports.http : edge.ports.https, '127.0.0.1');
    socket.on('error', () => {});
    socket.once('close', () => turnedAway++);
    open.push(socket);
  }
  await eventually(() => turnedAway >= 20, 5000, 'the connections past the cap to be closed');
  await sleep(200);
  assert.equal(turnedAway, 20, 'exactly those past the cap of 40');

  // While the public ports are full: an agent connects, the API answers.
  const ours = await forward({
    addr: svc.port,
    serverAddr: edge.bootstrap.agent_addr,
    caCert: edge.caPem,
    authtoken: edge.bootstrap.authtoken,
    subdomain: 'flooded',
  });
  defer(t, () => ours.close());
  const health = await fetch(`${edge.bootstrap.api_url}/health`);
  assert.equal(health.status, 200);
  // Once the flood lets go, the tunnel serves.
  open.forEach((s) => s.destroy());
  assert.equal(
    (
      await eventually(() => request(`${ours.url}/`, { ca: edge.caPem }), 5000, 'a request through the tunnel')
    ).body.toString(),
    'ok',
  );
});
