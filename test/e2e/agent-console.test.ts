import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonLine, spawnPortico } from '../support/cli.ts';
import { request } from '../support/client.ts';
import { startTestEdge, tempDir } from '../support/edge.ts';
import { eventually, freePort, startHttpService } from '../support/services.ts';
import { runInTerminal } from '../support/terminal.ts';

test('on a terminal: the status screen shows the session, a request as it happens, and reconnecting then online when the edge restarts', async (t) => {
  const dataDir = await tempDir(t);
  const first = await startTestEdge(t, { dataDir });
  const ports = { ...first.ports };
  const web = await startHttpService(t, (req, res) => res.writeHead(req.url === '/missing' ? 404 : 200).end('screen'));
  const env = { PORTICO_DATA_DIR: dataDir, XDG_CONFIG_HOME: join(dataDir, 'config') };
  const inspectPort = await freePort();
  const agent = runInTerminal(
    t,
    ['http', String(web.port), '--subdomain', 'screen', '--inspect-addr', `127.0.0.1:${inspectPort}`],
    env,
  );

  const online = await agent.waitForFrame(
    (f) => /Session Status\s+online/.test(f) && /Forwarding/.test(f),
    'the screen, online',
  );
  assert.match(online, /^portico\s+\(Ctrl\+C to quit\)$/m);
  assert.match(online, /^Account\s+default$/m);
  assert.match(online, /^Region\s+local$/m);
  assert.match(online, /^Version\s+\d+\.\d+\.\d+$/m);
  assert.match(
    online,
    new RegExp(`^Forwarding\\s+https://screen\\.localhost:${ports.https} -> http://localhost:${web.port}$`, 'm'),
  );
  assert.match(online, /^Connections\s+ttl\s+opn\s+rt1\s+rt5\s+p50\s+p90$/m);
  assert.match(online, new RegExp(`^Web Interface\\s+http://127\\.0\\.0\\.1:${inspectPort}$`, 'm'));
  await agent.waitForFrame((f) => /^Latency\s+\d+\.\d+ms$/m.test(f), 'a heartbeat latency');

  const url = `https://screen.localhost:${ports.https}`;
  assert.equal((await request(`${url}/missing`, { ca: first.caPem })).status, 404);
  assert.equal((await request(`${url}/hello?x=1`, { ca: first.caPem })).status, 200);
  const withRequests = await agent.waitForFrame((f) => /GET \/hello\?x=1/.test(f), 'the request on screen');
  const lines = withRequests.split('\n');
  const hello = lines.findIndex((l) => /^GET \/hello\?x=1\s+200 OK\s+[\d.]+ m?s$/.test(l));
  const missing = lines.findIndex((l) => /^GET \/missing\s+404 Not Found\s+[\d.]+ m?s$/.test(l));
  assert.ok(hello > 0 && missing > hello, `newest first:\n${withRequests}`);

  await first.close();
  const down = await agent.waitForFrame((f) => /Session Status\s+reconnecting/.test(f), 'reconnecting');
  assert.match(down, /^Latency\s+-$/m);
  await agent.waitForFrame((f) => /ECONNREFUSED.*portico edge/.test(f), 'the reason on screen');
  const second = await startTestEdge(t, { dataDir, ports });
  await agent.waitForFrame((f) => /Session Status\s+online/.test(f), 'online again', 40_000);
  assert.equal((await request(`${url}/back`, { ca: second.caPem })).status, 200);
  await agent.waitForFrame((f) => /GET \/back\s+200 OK/.test(f), 'a request after the restart');
});

test('off a terminal: one JSON log line per HTTP request next to the started tunnel line', async (t) => {
  const edge = await startTestEdge(t);
  const web = await startHttpService(t, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(201).end('created!'));
  });
  const env = { PORTICO_DATA_DIR: edge.dataDir, XDG_CONFIG_HOME: join(edge.dataDir, 'config') };
  const agent = spawnPortico(t, ['http', String(web.port), '--log', 'stdout', '--log-format', 'json'], env);
  const started = await jsonLine(agent, (l) => l.msg === 'started tunnel');
  const line = jsonLine(agent, (l) => l.msg === 'http request');
  const res = await request(`${started.url}/items?id=7`, { ca: edge.caPem, method: 'POST', body: 'abc' });
  assert.equal(res.status, 201);
  const logged = await line;
  assert.equal(logged.lvl, 'info');
  assert.equal(logged.tunnel, 'command_line');
  assert.equal(logged.method, 'POST');
  assert.equal(logged.path, '/items?id=7');
  assert.equal(logged.status, 201);
  assert.equal(logged.bytes, 8);
  assert.equal(logged.req_bytes, 3);
  assert.equal(typeof logged.duration_ms, 'number');
  assert.match(String(logged.client), /^127\.0\.0\.1:\d+$/);
});

test('off a terminal, text logs: a request line in logfmt on stderr, the Forwarding line on stdout', async (t) => {
  const edge = await startTestEdge(t);
  const web = await startHttpService(t, (_req, res) => res.end('x'));
  const env = { PORTICO_DATA_DIR: edge.dataDir, XDG_CONFIG_HOME: join(edge.dataDir, 'config') };
  const agent = spawnPortico(t, ['http', String(web.port)], env);
  let stdout = '';
  let stderr = '';
  agent.stdout!.on('data', (c: Buffer) => (stdout += c));
  agent.stderr!.on('data', (c: Buffer) => (stderr += c));
  const url = await eventually(
    () => /^Forwarding (https:\/\/\S+) -> /m.exec(stdout)?.[1],
    20_000,
    'the Forwarding line',
  );
  assert.equal((await request(`${url}/text`, { ca: edge.caPem })).status, 200);
  const line = await eventually(
    () => stderr.split('\n').find((l) => l.includes('http request')) ?? '',
    10_000,
    'the request line',
  );
  assert.match(
    line,
    /^\S+ INFO {2}http request tunnel=command_line method=GET path=\/text status=200 duration_ms=[\d.]+ bytes=1 req_bytes=0 client=127\.0\.0\.1:\d+$/,
  );
});
