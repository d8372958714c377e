// The official SDK's bind options for compression, the circuit breaker, webhook verification,
// the user-agent filter and the WebSocket-to-TCP converter are run by the edge on the agent
// endpoint, end to end: `ngrok.forward({...})` against one test edge, a local service behind it.
import assert from 'node:assert/strict';
import type http from 'node:http';
import net from 'node:net';
import { test, type TestContext } from 'node:test';
import zlib from 'node:zlib';
import { sign } from '@octokit/webhooks-methods';
import WebSocket from 'ws';
import { loopbackLookup, request } from '../support/client.ts';
import { defer } from '../support/defer.ts';
import { startTestEdge } from '../support/edge.ts';
import { eventually, startHttpService } from '../support/services.ts';
import { sdkForward } from '../support/sdk.ts';

/** A local service that records each request's body and answers with `answer`. */
async function recordingService(
  t: TestContext,
  answer: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void,
): Promise<{ port: number; bodies: Buffer[] }> {
  const bodies: Buffer[] = [];
  const service = await startHttpService(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      answer(req, res, bodies.at(-1)!);
    });
  });
  return { port: service.port, bodies };
}

/** A plain TCP echo service that also keeps every byte it was sent. */
async function recordingEcho(t: TestContext): Promise<{ port: number; received: () => Buffer }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer(t, () => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(r));
  });
  return { port: (server.address() as net.AddressInfo).port, received: () => Buffer.concat(chunks) };
}

const status = async (res: Promise<{ status: number; headers: http.IncomingHttpHeaders }>) => {
  const { status: code, headers } = await res;
  return `${code}${headers['ngrok-error-code'] ? ` ${String(headers['ngrok-error-code'])}` : ''}`;
};

test('official SDK: compression, circuit breaker, webhook verification, user-agent filter and WebSocket-to-TCP on agent endpoints', async (t) => {
  const edge = await startTestEdge(t);

  await t.test('compression: gzip round-trips byte-exact when accepted; identity otherwise', async (t) => {
    const text = Buffer.from('Agent endpoints compress what the client accepts. '.repeat(300));
    const service = await recordingService(t, (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': text.length }).end(text),
    );
    const url = (
      await sdkForward(t, edge, { addr: service.port, domain: 'sdk-gz.localhost', compression: true })
    ).url()!;

    const gz = await request(url, { ca: edge.caPem, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gz.body.length < text.length / 10, `${gz.body.length} bytes compressed`);
    assert.ok(zlib.gunzipSync(gz.body).equals(text));

    const plain = await request(url, { ca: edge.caPem });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers['content-length'], String(text.length));
    assert.ok(plain.body.equals(text));
  });

  await t.test('circuit breaker: the SDK’s fraction with the edge’s defaults trips after 20 failures', async (t) => {
    const service = await recordingService(t, (_req, res) => res.writeHead(500).end('broken'));
    const url = (
      await sdkForward(t, edge, { addr: service.port, domain: 'sdk-cb.localhost', circuit_breaker: 0.5 })
    ).url()!;
    // Volume threshold 20 in a 10 s window: the 20th failure (100 % > 50 %) opens the circuit.
    for (let i = 0; i < 20; i++)
      assert.equal(await status(request(url, { ca: edge.caPem })), '500', `request ${i + 1}`);
    for (let i = 0; i < 3; i++) assert.equal(await status(request(url, { ca: edge.caPem })), '503 ERR_NGROK_3202');
    assert.equal(service.bodies.length, 20, 'an open circuit keeps requests from the service');
  });

  await t.test(
    'webhook verification: a GitHub signature passes byte-identical; a wrong one never reaches the service',
    async (t) => {
      const secret = 'sdk-github-secret';
      const service = await recordingService(t, (_req, res) => res.end('received'));
      const url = (
        await sdkForward(t, edge, {
          addr: service.port,
          domain: 'sdk-wh.localhost',
          verify_webhook_provider: 'github',
          verify_webhook_secret: secret,
        })
      ).url()!;
      const body = Buffer.from(JSON.stringify({ action: 'opened', number: 7, title: 'Ünïcode and "quotes"' }));
      const post = async (signingSecret: string) =>
        request(url, {
          ca: edge.caPem,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'pull_request',
            'x-hub-signature-256': await sign(signingSecret, body.toString()),
          },
          body,
        });

      const good = await post(secret);
      assert.equal(good.status, 200, good.body.toString());
      assert.equal(good.body.toString(), 'received');
      assert.equal(service.bodies.length, 1);
      assert.ok(service.bodies[0]!.equals(body), 'the service got the very bytes');

      assert.equal(await status(post('another-secret')), '403 ERR_NGROK_3204');
      assert.equal(await status(request(url, { ca: edge.caPem, method: 'POST', body })), '403 ERR_NGROK_3204');
      assert.equal(service.bodies.length, 1, 'the service saw none of the refused requests');
    },
  );

  await t.test('user-agent filter: a denied pattern is refused with 403, others pass', async (t) => {
    const service = await recordingService(t, (_req, res) => res.end('served'));
    const url = (
      await sdkForward(t, edge, { addr: service.port, domain: 'sdk-ua.localhost', deny_user_agent: ['(?i)bot'] })
    ).url()!;
    const as = (ua: string) => status(request(url, { ca: edge.caPem, headers: { 'user-agent': ua } }));
    assert.equal(await as('Googlebot/2.1 (+http://www.google.com/bot.html)'), '403 ERR_NGROK_3211');
    assert.equal(await as('SomeBOT/1.0'), '403 ERR_NGROK_3211');
    assert.equal(await as('curl/8.5.0'), '200');
    assert.equal(service.bodies.length, 1);
  });

  await t.test(
    'WebSocket-to-TCP: a ws client’s messages reach a plain TCP service and its bytes come back',
    async (t) => {
      const echo = await recordingEcho(t);
      const url = (
        await sdkForward(t, edge, { addr: echo.port, domain: 'sdk-wstcp.localhost', websocket_tcp_converter: true })
      ).url()!;
      const ws = new WebSocket(url.replace('https:', 'wss:'), {
        ca: edge.caPem,
        lookup: loopbackLookup,
      } as WebSocket.ClientOptions);
      defer(t, () => ws.terminate());
      const back: Buffer[] = [];
      ws.on('message', (data: Buffer) => back.push(data));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const sent = Buffer.concat([Buffer.from('hello over websocket '), Buffer.from([0, 1, 0xfe, 0xff])]);
      ws.send(sent.subarray(0, 10));
      ws.send(sent.subarray(10));
      await eventually(() => echo.received().length === sent.length, 5000, 'the bytes at the TCP service');
      assert.ok(echo.received().equals(sent));
      await eventually(() => Buffer.concat(back).length === sent.length, 5000, 'the echo');
      assert.ok(Buffer.concat(back).equals(sent));
      // Anything but a WebSocket upgrade is refused.
      assert.equal(await status(request(url, { ca: edge.caPem })), '400 ERR_NGROK_3206');
    },
  );

  await t.test('an unknown webhook provider is refused at bind with an error the SDK surfaces', async (t) => {
    const service = await recordingService(t, (_req, res) => res.end());
    await assert.rejects(
      sdkForward(t, edge, {
        addr: service.port,
        domain: 'sdk-myspace.localhost',
        verify_webhook_provider: 'myspace',
        verify_webhook_secret: 'whatever',
      }),
      (err: Error & { errorCode?: string }) => {
        t.diagnostic(`SDK error: ${err.message} (${err.errorCode})`);
        assert.equal(err.errorCode, 'ERR_NGROK_7030');
        assert.match(err.message, /myspace/);
        assert.match(err.message, /github/, 'the message lists the providers to use');
        return true;
      },
    );
    assert.equal(edge.registry.httpsEndpoint('sdk-myspace.localhost'), undefined);
  });
});
