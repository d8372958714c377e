import assert from 'node:assert/strict';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { AgentSession } from '../../agent/session.ts';
import { readAll, startTestPeer, waitFor } from '../../../test/support/agent-peer.ts';
import { AgentTraffic } from '../../agent/traffic/traffic.ts';
import { agentVersion } from '../../agent/version.ts';
import { screenRequests } from './console.ts';
import { renderScreen } from './screen.ts';
import { statusView } from './status-view.ts';

test("the screen of a real session: fields, forwarding, counters and requests, newest first, cut to the terminal's size", async (t) => {
  const peer = await startTestPeer(t);
  const traffic = new AgentTraffic({ recentRequests: screenRequests });
  const session = new AgentSession({ serverAddr: peer.addr, ca: peer.caPem, traffic });
  t.after(() => session.close());
  await session.connect();
  // Raw answers: Node's own server would not send a reason phrase with an escape in it.
  const server = net.createServer((socket) =>
    socket.once('data', (head: Buffer) => {
      const path = head.toString('latin1').split(' ')[1]!;
      const status = path === '/gone' ? '410 Gone' : path.startsWith('/evil') ? '400 Bad\x1b[2J' : '200 OK';
      socket.end(`HTTP/1.1 ${status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const web = await session.listen({
    name: 'web',
    forwardsTo: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
  await session.listen({ forwardsTo: 'http://localhost:8081', labels: { edge: 'edghts_1' } });
  for (const path of ['/first', '/gone', `/evil${'x'.repeat(200)}`]) {
    const stream = peer.openProxy({ Id: web.id });
    stream.end(`GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
    await readAll(stream);
  }
  await waitFor(() => traffic.recent().length === 3 && session.latencyMs !== undefined, 'requests and a heartbeat');

  const view = statusView(session, { notices: [] }, 10);
  const lines = renderScreen(view, { columns: 100, rows: 40 });
  assert.equal(lines[0], `portico${' '.repeat(100 - 7 - 16)}(Ctrl+C to quit)`);
  const text = lines.join('\n');
  assert.match(text, /^Session Status {16}online$/m);
  assert.match(text, /^Account {23}-$/m, 'the test peer names no account');
  assert.match(text, /^Region {24}local$/m);
  assert.match(text, new RegExp(`^Version {23}${agentVersion.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(text, /^Latency {23}\d+\.\d\dms$/m);
  assert.match(
    text,
    new RegExp(`^Forwarding {20}${web.url.replace(/[.]/g, '\\.')} -> http://127\\.0\\.0\\.1:\\d+$`, 'm'),
  );
  assert.match(text, /^Forwarding {20}labeled tunnel edge=edghts_1 -> http:\/\/localhost:8081$/m);
  assert.match(text, /^Connections {19}ttl {5}opn {5}rt1 {5}rt5 {5}p50 {5}p90$/m);
  assert.match(text, /^ {30}3 {7}0 {7}\d\.\d\d {4}\d\.\d\d {4}\d\.\d\d {4}\d\.\d\d$/m);
  const requests = lines.slice(lines.indexOf('-------------') + 2);
  assert.equal(requests.length, 3);
  assert.match(
    requests[0]!,
    /^GET \/evilx+… 400 Bad\?\[2J +[\d.]+ m?s$/,
    'control characters are neutralised, long paths cut',
  );
  assert.match(requests[1]!, /^GET \/gone {21}410 Gone {16}[\d.]+ m?s$/);
  assert.match(requests[2]!, /^GET \/first {20}200 OK/);
  assert.doesNotMatch(text, /\x1b/);
  assert.ok(lines.every((l) => l.length <= 100));

  const small = renderScreen(view, { columns: 40, rows: 18 });
  assert.equal(small.length, 18, 'requests fill what is left of the height');
  assert.ok(small.every((l) => l.length <= 40));
  assert.match(small.at(-2)!, /^GET \/evil/);
  assert.match(small.at(-1)!, /^GET \/gone/, 'the oldest request did not fit');
});

test('status texts: reconnecting with the attempt and reason, the inspector and notices when there are some', () => {
  const view = {
    status: 'reconnecting (attempt 3 in 2 s: connect ECONNREFUSED 127.0.0.1:4443; is `portico edge` running?)',
    account: 'acme',
    version: '1.2.3',
    region: 'eu',
    latencyMs: undefined,
    inspectorUrl: 'http://127.0.0.1:4040',
    forwarding: [],
    connections: { total: 0, open: 0, rate1m: 0, rate5m: 0, rate15m: 0, p50s: 0, p90s: 0, p95s: 0, p99s: 0 },
    requests: [
      {
        tunnel: 'web',
        clientAddr: '',
        method: 'GET',
        path: '/slow',
        durationMs: 30_000,
        requestBytes: 0,
        responseBytes: 0,
        error: 'closed before the response',
      },
    ],
    notices: ['the edge stopped https://a.localhost: revoked (ERR_AUTHTOKEN_INVALID)'],
  };
  const text = renderScreen(view, { columns: 200, rows: 40 }).join('\n');
  assert.match(
    text,
    /^Session Status {16}reconnecting \(attempt 3 in 2 s: connect ECONNREFUSED 127\.0\.0\.1:4443; is `portico edge` running\?\)$/m,
  );
  assert.match(text, /^Latency {23}-$/m);
  assert.match(text, /^Web Interface {17}http:\/\/127\.0\.0\.1:4040$/m);
  assert.match(text, /^Notice {24}the edge stopped https:\/\/a\.localhost: revoked \(ERR_AUTHTOKEN_INVALID\)$/m);
  assert.match(text, /^GET \/slow {21}--- closed before the response 30\.00 s$/m);
});
