import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPorticoError } from '../../../errors/catalogue.ts';
import { requestHead } from './request-head.ts';
import {
  TunnelConnection,
  type ConnectionOwner,
  type ExchangeHandler,
  type TunnelRequest,
} from './tunnel-connection.ts';

/**
 * The agent's side of one stream: a TCP server whose connection `serve` answers with raw bytes,
 * given everything received so far. The connection under test runs over a real socket to it.
 */
async function agentSide(t: TestContext, serve: (socket: net.Socket, received: () => string) => void) {
  const server = net.createServer((socket) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      serve(socket, () => received);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.close();
  });
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const events: string[] = [];
  const owner: ConnectionOwner = {
    idle: (_conn, ms) => void events.push(`idle ${ms}`),
    gone: () => void events.push('gone'),
  };
  const conn = new TunnelConnection(socket, owner, { headersTimeoutMs: 500, idleMs: 60_000, maxIdleMs: 600_000 });
  t.after(() => conn.close());
  return { conn, events };
}

function get(target = '/', method = 'GET'): TunnelRequest {
  const { head, framing } = requestHead(method, target, { host: 'example.com' }, 'none');
  return { method, head, framing, body: null };
}

interface Heard {
  status: number;
  message: string;
  headers: string[];
  body: string;
  error?: Error;
  how?: { responded: boolean };
}

/** Sends `request` and resolves with what the handler heard once the exchange ends either way. */
function exchange(conn: TunnelConnection, request: TunnelRequest, options: { pauseEvery?: number } = {}) {
  return new Promise<Heard>((resolve) => {
    const heard: Heard = { status: 0, message: '', headers: [], body: '' };
    let resume = () => {};
    let pieces = 0;
    const handler: ExchangeHandler = {
      head: (status, message, headers, go) => {
        Object.assign(heard, { status, message, headers });
        resume = go;
      },
      data: (chunk) => {
        heard.body += chunk.toString('latin1');
        if (!options.pauseEvery || ++pieces % options.pauseEvery !== 0) return true;
        setTimeout(() => resume(), 5);
        return false;
      },
      end: () => resolve(heard),
      error: (error, how) => resolve({ ...heard, error, how }),
    };
    conn.send(request, handler);
  });
}

const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`;

test('responses with a length, chunked and to HEAD follow one another on one connection', async (t) => {
  const answers = [
    ok('first', 'keep-alive: timeout=5\r\n'),
    'HTTP/1.1 201 Made\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n',
    'HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n',
    ok('last'),
  ];
  let answered = 0;
  // Each request is a head alone: one answer per head received, in order.
  const { conn, events } = await agentSide(t, (socket, received) => {
    const requests = received().split('\r\n\r\n').length - 1;
    while (answered < requests) socket.write(answers[answered++]!);
  });
  const first = await exchange(conn, get('/a?b=c'));
  assert.deepEqual([first.status, first.message, first.body], [200, 'OK', 'first']);
  assert.deepEqual(first.headers, ['content-length', '5', 'keep-alive', 'timeout=5']);
  // The service keeps its connection 5 s: the edge lets go of the stream 2 s earlier.
  assert.deepEqual(events, ['idle 3000']);
  const second = await exchange(conn, get('/chunked'));
  assert.deepEqual([second.status, second.message, second.body], [201, 'Made', 'abcde']);
  const head = await exchange(conn, get('/', 'HEAD'));
  assert.deepEqual([head.status, head.body], [200, '']);
  const last = await exchange(conn, get('/last'));
  assert.deepEqual([last.status, last.body, last.error], [200, 'last', undefined]);
  assert.deepEqual(events, ['idle 3000', 'idle 60000', 'idle 60000', 'idle 60000']);
});

test('1xx responses are passed over; more than 32 headers arrive whole', async (t) => {
  const many = Array.from({ length: 40 }, (_, i) => `x-h${i}: v${i}\r\n`).join('');
  const { conn } = await agentSide(t, (socket) =>
    socket.write(`HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n${ok('done', many)}`),
  );
  const heard = await exchange(conn, get());
  assert.equal(heard.status, 200);
  assert.equal(heard.body, 'done');
  assert.equal(heard.headers.length, 2 * 41);
  assert.deepEqual(heard.headers.slice(-2), ['x-h39', 'v39']);
});

test('a response delimited by the close of the stream ends with it, and the connection is gone', async (t) => {
  const { conn, events } = await agentSide(t, (socket) =>
    socket.end('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nto the end'),
  );
  const heard = await exchange(conn, get());
  assert.deepEqual([heard.status, heard.body, heard.error], [200, 'to the end', undefined]);
  assert.deepEqual(events, ['gone']);
  assert.equal(conn.isClosed, true);
});

test('a sized body in odd pieces, paused, arrives byte-exact; a 204, chunked and cut responses follow', async (t) => {
  // Past its first piece a sized body is handed on as slices of what the stream read, not as the
  // parser's pieces: the bytes, their order and where the response ends must not change.
  const body = Buffer.alloc(3 * 1024 * 1024 + 7);
  for (let i = 0; i < body.length; i++) body[i] = (i * 131 + (i >> 12)) & 0xff;
  const answers = [
    Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`), body]),
    Buffer.from('HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\n'),
    Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nwxyz\r\n0\r\n\r\n'),
    Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\ncut short'),
  ];
  let answered = 0;
  const { conn } = await agentSide(t, (socket, received) => {
    const requests = received().split('\r\n\r\n').length - 1;
    while (answered < requests) {
      const answer = answers[answered++]!;
      // Odd pieces, one per turn: heads, bodies and their ends fall anywhere in them.
      const pieces = Array.from({ length: Math.ceil(answer.length / 7777) }, (_, i) =>
        answer.subarray(i * 7777, (i + 1) * 7777),
      );
      const last = answered === answers.length;
      const next = () => {
        const piece = pieces.shift();
        if (piece) return void socket.write(piece, () => setImmediate(next));
        if (last) socket.end();
      };
      next();
    }
  });
  const sized = await exchange(conn, get('/big'), { pauseEvery: 3 });
  assert.equal(sized.error, undefined);
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  assert.equal(sha(Buffer.from(sized.body, 'latin1')), sha(body));
  const empty = await exchange(conn, get('/empty'));
  assert.deepEqual([empty.status, empty.body, empty.error], [204, '', undefined]);
  const chunked = await exchange(conn, get('/chunked'));
  assert.deepEqual([chunked.status, chunked.body, chunked.error], [200, 'wxyz', undefined]);
  const cut = await exchange(conn, get('/cut'));
  assert.equal(cut.body, 'cut short');
  assert.deepEqual(cut.how, { responded: true });
});

test('a body paused by the handler is resumed and arrives whole', async (t) => {
  const body = 'x'.repeat(1 << 20);
  const { conn } = await agentSide(t, (socket) => socket.write(ok(body)));
  const heard = await exchange(conn, get(), { pauseEvery: 2 });
  assert.equal(heard.body.length, body.length);
});

test('an upload without a length goes chunked; one with a length goes as it is', async (t) => {
  const done = (received: string) => /0\r\n\r\n$/.test(received) || /\r\n\r\nhello world$/.test(received);
  const { conn } = await agentSide(t, (socket, received) => {
    if (done(received())) socket.write(ok(JSON.stringify(received())));
  });
  const chunks = () => Readable.from([Buffer.from('hello'), Buffer.from(' world')]);
  const chunked = requestHead('POST', '/up', { host: 'h' }, 'stream');
  const heard = await exchange(conn, { method: 'POST', ...chunked, body: chunks() });
  assert.match(JSON.parse(heard.body), /transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n$/);

  const { conn: other } = await agentSide(t, (socket, received) => {
    if (done(received())) socket.write(ok(JSON.stringify(received())));
  });
  const sized = requestHead('POST', '/up', { host: 'h', 'content-length': '11' }, 'stream');
  const raw = await exchange(other, { method: 'POST', ...sized, body: chunks() });
  assert.match(JSON.parse(raw.body), /content-length: 11\r\n\r\nhello world$/);
});

test('bytes that are not a response fail the exchange before its head, and close the connection', async (t) => {
  const { conn, events } = await agentSide(t, (socket) => socket.write('SSH-2.0-nope\r\n\r\n'));
  const heard = await exchange(conn, get());
  assert.ok(heard.error);
  assert.deepEqual(heard.how, { responded: false });
  assert.deepEqual(events, ['gone']);
});

test('no response head within the header timeout fails with ERR_NGROK_3008', async (t) => {
  const { conn } = await agentSide(t, () => {});
  const heard = await exchange(conn, get());
  assert.ok(isPorticoError(heard.error) && heard.error.code === 'ERR_NGROK_3008');
});

test('a response that comes before the whole upload is not followed by another request', async (t) => {
  const { conn, events } = await agentSide(t, (socket) => socket.write(ok('too large')));
  const endless = new Readable({ read() {} });
  endless.push('start');
  const { head, framing } = requestHead('POST', '/', { host: 'h' }, 'stream');
  const heard = await exchange(conn, { method: 'POST', head, framing, body: endless });
  assert.equal(heard.body, 'too large');
  assert.deepEqual(events, ['gone']);
});

test('a request that cannot be written is refused before any stream: not a path, a broken header', () => {
  assert.throws(() => requestHead('OPTIONS', '*', {}, 'none'), { code: 'ERR_EDGE_BAD_REQUEST' });
  assert.throws(() => requestHead('GET', 'http://a/b', {}, 'none'), { code: 'ERR_EDGE_BAD_REQUEST' });
  assert.throws(() => requestHead('GET', '/', { 'x-a': 'one\r\nx-b: two' }, 'none'), { code: 'ERR_EDGE_BAD_REQUEST' });
  assert.throws(() => requestHead('GET', '/', { 'bad name': 'v' }, 'none'), { code: 'ERR_EDGE_BAD_REQUEST' });
  const sized = requestHead('PUT', '/x', { 'content-length': '99' }, Buffer.from('four'));
  assert.equal(sized.head, 'PUT /x HTTP/1.1\r\ncontent-length: 4\r\n\r\n');
});

test('a large chunked upload to a slow reader arrives byte-exact, with backpressure', async (t) => {
  const server = http.createServer((req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
      hash.update(c);
      // A slow service: the tunnel fills and the upload waits for it.
      req.pause();
      setTimeout(() => req.resume(), 1);
    });
    req.on('end', () =>
      res.end(JSON.stringify({ bytes, sha256: hash.digest('hex'), te: req.headers['transfer-encoding'] })),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const owner: ConnectionOwner = { idle: () => {}, gone: () => {} };
  const conn = new TunnelConnection(socket, owner, { headersTimeoutMs: 5000, idleMs: 1000, maxIdleMs: 1000 });
  t.after(() => conn.close());
  const piece = Buffer.alloc(64 * 1024, 7);
  const expected = createHash('sha256');
  const pieces = Array.from({ length: 128 }, (_, i) => {
    const p = Buffer.from(piece.map((b) => (b + i) & 0xff));
    expected.update(p);
    return p;
  });
  const { head, framing } = requestHead('POST', '/', { host: 'h' }, 'stream');
  const heard = await exchange(conn, { method: 'POST', head, framing, body: Readable.from(pieces) });
  assert.deepEqual(JSON.parse(heard.body), {
    bytes: 128 * piece.length,
    sha256: expected.digest('hex'),
    te: 'chunked',
  });
});

test('an idle connection kept past its rest (the service keeps 3 s, the edge 1 s) is closed and leaves its pool', async (t) => {
  let closedByEdge = false;
  const server = net.createServer((socket) => {
    socket.once('data', () => socket.write(ok('kept', 'keep-alive: timeout=3\r\n')));
    socket.on('end', () => (closedByEdge = true));
    socket.on('error', () => (closedByEdge = true));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const events: string[] = [];
  const owner: ConnectionOwner = {
    // As the pool does: an idle connection rests for the time the response allowed.
    idle: (conn, ms) => (events.push(`idle ${ms}`), conn.rest(ms)),
    gone: () => void events.push('gone'),
  };
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const conn = new TunnelConnection(socket, owner, { headersTimeoutMs: 5000, idleMs: 60_000, maxIdleMs: 600_000 });
  t.after(() => conn.close());
  assert.equal((await exchange(conn, get())).body, 'kept');
  assert.deepEqual(events, ['idle 1000']);
  // Waits past the rest: the edge lets go before the service would.
  await sleep(1600);
  assert.deepEqual(events, ['idle 1000', 'gone']);
  assert.equal(conn.isClosed, true);
  assert.equal(closedByEdge, true);
});
