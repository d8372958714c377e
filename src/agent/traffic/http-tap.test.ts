import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { tapHttp } from './http-tap.ts';
import type { HttpExchange } from './http-tap.ts';

function sides() {
  const requests = new PassThrough();
  const responses = new PassThrough();
  const seen: HttpExchange[] = [];
  // Consumers, as the splice is in the agent: the tap only listens beside them.
  const passed = { requests: [] as Buffer[], responses: [] as Buffer[] };
  requests.on('data', (c: Buffer) => passed.requests.push(c));
  responses.on('data', (c: Buffer) => passed.responses.push(c));
  const tap = tapHttp(requests, responses, { onExchange: (e) => seen.push(e) });
  return { requests, responses, seen, tap, passed };
}

/** Writes `text` one byte at a time, the worst split a stream can have. */
function dribble(stream: PassThrough, text: string): void {
  for (const byte of Buffer.from(text)) stream.write(Buffer.from([byte]));
}

const pick = (e: HttpExchange) => ({
  method: e.method,
  path: e.path,
  status: e.status,
  requestBytes: e.requestBytes,
  responseBytes: e.responseBytes,
  error: e.error,
});

test('keep-alive requests split byte by byte: sized, chunked, HEAD and 100-continue exchanges', () => {
  const s = sides();
  dribble(s.requests, 'POST /upload?x=1 HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
  dribble(s.responses, 'HTTP/1.1 100 Continue\r\n\r\n');
  dribble(s.requests, 'hello');
  dribble(s.responses, 'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
  dribble(s.requests, 'HEAD /big HTTP/1.1\r\nHost: a\r\n\r\n');
  dribble(s.responses, 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
  dribble(s.requests, 'GET /chunked HTTP/1.1\r\nHost: a\r\n\r\n');
  dribble(s.responses, 'HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
  assert.deepEqual(s.seen.map(pick), [
    { method: 'POST', path: '/upload?x=1', status: 201, requestBytes: 5, responseBytes: 2, error: undefined },
    { method: 'HEAD', path: '/big', status: 200, requestBytes: 0, responseBytes: 0, error: undefined },
    { method: 'GET', path: '/chunked', status: 404, requestBytes: 0, responseBytes: 5, error: undefined },
  ]);
  assert.equal(s.seen[2]!.statusText, 'Not Found');
  assert.ok(s.seen.every((e) => e.durationMs >= 0));
  assert.equal(s.tap.stoppedBecause, undefined);
});

test('with captureBodyBytes: heads in order and bodies de-chunked, cut at the limit', () => {
  const requests = new PassThrough();
  const responses = new PassThrough();
  const seen: HttpExchange[] = [];
  tapHttp(requests, responses, { onExchange: (e) => seen.push(e), captureBodyBytes: 4 });
  dribble(requests, 'POST /a HTTP/1.1\r\nHost: x\r\nX-Two: 1\r\nX-Two: 2\r\nContent-Length: 6\r\n\r\nabcdef');
  dribble(responses, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n1\r\nz\r\n0\r\n\r\n');
  const [e] = seen;
  assert.deepEqual(e!.request, {
    proto: 'HTTP/1.1',
    headers: ['Host', 'x', 'X-Two', '1', 'X-Two', '2', 'Content-Length', '6'],
    body: Buffer.from('abcd'),
    truncatedBytes: 2,
  });
  assert.deepEqual(e!.response, {
    proto: 'HTTP/1.1',
    headers: ['Transfer-Encoding', 'chunked'],
    body: Buffer.from('xyz'),
    truncatedBytes: 0,
  });
});

test('sized bodies are counted past the parser: exact across keep-alive, pipelining, captures and a cut', () => {
  // Past its first piece (and the capture), a body whose head gave its length is counted from the
  // chunks, not from the parser's pieces; the counts must come out the same in every split.
  const body = 'x'.repeat(100_000);
  for (const split of [1, 7, 16_384, 1_000_000]) {
    for (const captureBodyBytes of [undefined, 10, 200_000]) {
      const requests = new PassThrough();
      const responses = new PassThrough();
      const seen: HttpExchange[] = [];
      const tap = tapHttp(requests, responses, { onExchange: (e) => seen.push(e), captureBodyBytes });
      const send = (stream: PassThrough, text: string) => {
        const bytes = Buffer.from(text);
        for (let i = 0; i < bytes.length; i += split) stream.write(bytes.subarray(i, i + split));
      };
      send(
        requests,
        `POST /up HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
          'GET /next HTTP/1.1\r\n\r\nGET /chunked HTTP/1.1\r\n\r\nGET /cut HTTP/1.1\r\n\r\n',
      );
      send(
        responses,
        `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}` +
          'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
          `186a0\r\n${body}\r\n0\r\n\r\n` +
          `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 12_345)}`,
      );
      tap.close();
      const what = `split ${split}, capture ${captureBodyBytes}`;
      assert.deepEqual(
        seen.map((e) => [e.path, e.requestBytes, e.responseBytes, e.error ?? 'ok']),
        [
          ['/up', body.length, body.length, 'ok'],
          ['/next', 0, 2, 'ok'],
          ['/chunked', 0, body.length, 'ok'],
          ['/cut', 0, 12_345, 'closed during the response'],
        ],
        what,
      );
      if (captureBodyBytes === undefined) continue;
      for (const [message, length] of [
        [seen[0]!.request!, body.length],
        [seen[0]!.response!, body.length],
        [seen[3]!.response!, 12_345],
      ] as const) {
        assert.equal(message.body.length, Math.min(captureBodyBytes, length), what);
        assert.equal(message.body.length + message.truncatedBytes, length, what);
      }
    }
  }
});

test('pipelined requests in one chunk are matched to their responses in order', () => {
  const s = sides();
  s.requests.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n');
  s.responses.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 304 Not Modified\r\n\r\n');
  assert.deepEqual(
    s.seen.map((e) => `${e.method} ${e.path} ${e.status}`),
    ['GET /a 200', 'GET /b 304'],
  );
});

test('a response without a length ends with the connection', async () => {
  const s = sides();
  s.requests.write('GET /stream HTTP/1.0\r\n\r\n');
  s.responses.write('HTTP/1.0 200 OK\r\n\r\nsome');
  s.responses.end('thing');
  await once(s.responses, 'end');
  assert.deepEqual(s.seen.map(pick), [
    { method: 'GET', path: '/stream', status: 200, requestBytes: 0, responseBytes: 9, error: undefined },
  ]);
});

test('a connection that closes first reports its requests with an error', () => {
  const s = sides();
  s.requests.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /cut HTTP/1.1\r\nHost: x\r\n\r\n');
  s.tap.close();
  assert.deepEqual(
    s.seen.map((e) => `${e.path} ${e.status} ${e.error}`),
    ['/slow undefined closed before the response', '/cut undefined closed before the response'],
  );
  const cut = sides();
  cut.requests.write('GET /half HTTP/1.1\r\nHost: x\r\n\r\n');
  cut.responses.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
  cut.tap.close();
  assert.deepEqual(cut.seen.map(pick), [
    {
      method: 'GET',
      path: '/half',
      status: 200,
      requestBytes: 0,
      responseBytes: 3,
      error: 'closed during the response',
    },
  ]);
});

test('a WebSocket upgrade is reported, then the frames are left alone', () => {
  const s = sides();
  s.requests.write('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello');
  s.responses.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x02hi');
  s.requests.write('GET /not-a-request HTTP/1.1\r\n\r\n');
  s.responses.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  assert.deepEqual(
    s.seen.map((e) => `${e.method} ${e.path} ${e.status}`),
    ['GET /ws 101'],
  );
  assert.equal(s.tap.stoppedBecause, 'switched protocols');
});

test('TLS and other non-HTTP bytes stop the tracking and pass unchanged', () => {
  const s = sides();
  // The start of a TLS ClientHello.
  const hello = Buffer.from('16030100f5010000f10303', 'hex');
  const rest = Buffer.alloc(4096, 7);
  s.requests.write(hello);
  s.requests.write(rest);
  s.responses.write(Buffer.from('160303007a0200', 'hex'));
  assert.deepEqual(s.seen, []);
  assert.match(s.tap.stoppedBecause ?? '', /^the request side is not HTTP\/1\.x/);
  assert.deepEqual(Buffer.concat(s.passed.requests), Buffer.concat([hello, rest]));
  const garbage = sides();
  garbage.requests.write('SSH-2.0-OpenSSH_9.2\r\n');
  assert.match(garbage.tap.stoppedBecause ?? '', /not HTTP/);
});

test('an oversized head stops the tracking', () => {
  const s = sides();
  s.requests.write(`GET / HTTP/1.1\r\nCookie: ${'x'.repeat(40 * 1024)}\r\n`);
  assert.match(s.tap.stoppedBecause ?? '', /not HTTP.*Header overflow \(HPE_HEADER_OVERFLOW\)/);
});

test("Node's own client and server through a tapping proxy: keep-alive, HEAD, chunked, 304, POST", async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url === '/chunked') {
      res.write('part1');
      res.end('part2');
    } else if (req.url === '/cached') {
      res.writeHead(304).end();
    } else {
      req.resume();
      req.on('end', () => res.end('hello world'));
    }
  });
  const seen: HttpExchange[] = [];
  const proxyPort = await tappingProxy(t, await listen(t, server), seen);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const ask = (method: string, path: string, body?: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ port: proxyPort, host: '127.0.0.1', method, path, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  assert.equal(await ask('GET', '/'), 200);
  assert.equal(await ask('HEAD', '/'), 200);
  assert.equal(await ask('GET', '/chunked'), 200);
  assert.equal(await ask('GET', '/cached'), 304);
  assert.equal(await ask('POST', '/form', 'a=1&b=2'), 200);
  assert.deepEqual(
    seen.map((e) => `${e.method} ${e.path} ${e.status} ${e.requestBytes} ${e.responseBytes}`),
    ['GET / 200 0 11', 'HEAD / 200 0 0', 'GET /chunked 200 0 10', 'GET /cached 304 0 0', 'POST /form 200 7 11'],
  );
});

async function listen(t: TestContext, server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** A TCP proxy to `port` that taps every connection as the agent does. */
async function tappingProxy(t: TestContext, port: number, seen: HttpExchange[]): Promise<number> {
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    tapHttp(client, upstream, { onExchange: (e) => seen.push(e) });
  });
  t.after(() => sockets.forEach((s) => s.destroy()));
  return listen(t, proxy);
}
