import { defer } from '../support/defer.ts';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { test } from 'node:test';
import ngrok from '@ngrok/ngrok';
import { issueLeafCertificate, loadOrCreateLocalCa } from '../../src/edge/tls/local-ca.ts';
import { request } from '../support/client.ts';
import { startTestEdge, tempDir, type TestEdge } from '../support/edge.ts';
import { eventually, sleep, startEchoService, startHttpService } from '../support/services.ts';

/** The official SDK, pointed at our edge with its CA and authtoken. */
async function sdkSession(t: import('node:test').TestContext, edge: TestEdge, token = edge.credentials.authtoken) {
  const session = await new ngrok.SessionBuilder()
    .serverAddr(edge.serverAddr)
    .caCert(Buffer.from(edge.caPem))
    .authtoken(token)
    .metadata('sdk-test')
    .connect();
  defer(t, () => Promise.race([session.close().catch(() => {}), sleep(2000)]));
  return session;
}

async function tcpRoundTrip(port: number, payload: string, host = '127.0.0.1'): Promise<string> {
  const socket = net.connect(port, host);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.end(payload);
  await new Promise<void>((resolve, reject) => socket.once('close', () => resolve()).once('error', reject));
  return Buffer.concat(chunks).toString();
}

test('official @ngrok/ngrok SDK: http, tcp and tls endpoints carry traffic; labeled listener starts', async (t) => {
  const edge = await startTestEdge(t);
  const web = await startHttpService(t, (req, res) => res.end(`sdk says ${req.url}`));
  const echo = await startEchoService(t);
  const session = await sdkSession(t, edge);

  const http = await session.httpEndpoint().domain('sdk-app.localhost').listenAndForward(web.url);
  assert.equal(http.url(), `https://sdk-app.localhost:${edge.ports.https}`);
  const res = await request(`${http.url()}/hello`, { ca: edge.caPem });
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'sdk says /hello');

  const tcp = await session.tcpEndpoint().listenAndForward(`tcp://127.0.0.1:${echo.port}`);
  const tcpUrl = new URL(tcp.url()!);
  assert.equal(await tcpRoundTrip(Number(tcpUrl.port), 'ping over tcp'), 'ping over tcp');

  // TLS: the service terminates; the edge routes by SNI only.
  const pki = await loadOrCreateLocalCa(await tempDir(t));
  const leaf = await issueLeafCertificate(pki, { dnsNames: ['sdk-tls.localhost'] });
  const tlsService = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (s) => s.on('error', () => {}).pipe(s));
  await new Promise<void>((r) => tlsService.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise<void>((r) => tlsService.close(() => r())));
  const tlsListener = await session
    .tlsEndpoint()
    .domain('sdk-tls.localhost')
    .listenAndForward(`tls://127.0.0.1:${(tlsService.address() as net.AddressInfo).port}`);
  assert.equal(tlsListener.url(), `tls://sdk-tls.localhost:${edge.ports.https}`);
  const client = tls.connect({
    host: '127.0.0.1',
    port: edge.ports.https,
    servername: 'sdk-tls.localhost',
    ca: pki.certPem,
  });
  await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
  const got = new Promise<string>((resolve) => client.once('data', (d: Buffer) => resolve(d.toString())));
  client.write('ping over tls');
  assert.equal(await got, 'ping over tls');
  client.destroy();

  // Labeled tunnels are registered with their labels; edges route to them (tunnel-group backends).
  const labeled = await session.labeledListener().label('app', 'sdk').label('env', 'test').listenAndForward(web.url);
  assert.ok(labeled.id());
  assert.deepEqual(
    edge.registry.labeledTunnels({ app: 'sdk' }).map((x) => x.id),
    [labeled.id()],
  );

  await http.close();
  await eventually(
    async () => (await request(`https://sdk-app.localhost:${edge.ports.https}/`, { ca: edge.caPem })).status === 404,
    5000,
    'unbind',
  );
});

test('official SDK reconnects after the edge drops its connection and keeps its URL', async (t) => {
  const edge = await startTestEdge(t);
  const web = await startHttpService(t, (_req, res) => res.end('still here'));
  const session = await sdkSession(t, edge);
  const listener = await session.httpEndpoint().listenAndForward(web.url);
  const url = listener.url()!;
  assert.equal((await request(url, { ca: edge.caPem })).body.toString(), 'still here');
  const before = [...edge.registry.sessions.keys()];
  // Cut the agent's connection from the edge side without a GOAWAY.
  for (const s of edge.registry.sessions.values()) s.mux.destroy();
  await eventually(
    () => edge.registry.sessions.size === 1 && edge.registry.tunnels.has(listener.id()),
    10_000,
    'SDK reconnect',
  );
  // Session resumption: the agent's ClientId and Cookie give it back the same session id.
  assert.deepEqual([...edge.registry.sessions.keys()], before);
  const res = await request(url, { ca: edge.caPem });
  assert.equal(res.body.toString(), 'still here');
});

test("official SDK: a wrong authtoken fails with ngrok's code for it, and ours in the message", async (t) => {
  const edge = await startTestEdge(t);
  await assert.rejects(
    new ngrok.SessionBuilder()
      .serverAddr(edge.serverAddr)
      .caCert(Buffer.from(edge.caPem))
      .authtoken('nope_nope')
      .connect(),
    (err: Error & { errorCode?: string }) =>
      err.errorCode === 'ERR_NGROK_107' && /ERR_AUTHTOKEN_INVALID/.test(String(err.message)),
  );
});
