import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpRequestRecord } from '../traffic/traffic.ts';
import { CaptureStore, ngrokCapture } from './captures.ts';

function record(path: string, body = '', tunnel = 'web'): HttpRequestRecord {
  return {
    method: 'POST',
    path,
    status: 200,
    statusText: 'OK',
    durationMs: 1.5,
    requestBytes: body.length,
    responseBytes: 2,
    tunnel,
    clientAddr: '[2001:db8::1]:5000',
    request: {
      proto: 'HTTP/1.1',
      headers: ['content-type', 'text/plain', 'X-a', '1', 'x-A', '2'],
      body: Buffer.from(body),
      truncatedBytes: 3,
    },
    response: { proto: 'HTTP/1.1', headers: ['content-length', '2'], body: Buffer.from('ok'), truncatedBytes: 0 },
  };
}

test('a capture in ngrok shape: canonical header names with every value, raw as base64, duration in ns', () => {
  const store = new CaptureStore();
  const c = ngrokCapture(store.add(record('/a?b=1', 'hi')));
  assert.match(c.id, /^[0-9a-f]{16}$/);
  assert.equal(c.uri, `/api/requests/http/${c.id}`);
  assert.equal(c.remote_addr, '2001:db8::1');
  assert.equal(c.duration, 1_500_000);
  assert.deepEqual(c.request.headers, { 'Content-Type': ['text/plain'], 'X-A': ['1', '2'] });
  assert.equal(
    Buffer.from(c.request.raw, 'base64').toString(),
    'POST /a?b=1 HTTP/1.1\r\ncontent-type: text/plain\r\nX-a: 1\r\nx-A: 2\r\n\r\nhi',
  );
  assert.equal(c.response!.status, '200 OK');
  assert.equal(Buffer.from(c.response!.raw, 'base64').toString(), 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
  assert.deepEqual(c.truncated, { request: 3, response: 0 });
});

test('the store keeps the newest within its count and byte bounds; list filters by tunnel; clear empties it', () => {
  const store = new CaptureStore({ maxRequests: 3 });
  for (let i = 0; i < 5; i++) store.add(record(`/${i}`, '', i % 2 ? 'odd' : 'even'));
  assert.deepEqual(
    store.list(10).map((c) => c.record.path),
    ['/4', '/3', '/2'],
  );
  assert.deepEqual(
    store.list(10, 'even').map((c) => c.record.path),
    ['/4', '/2'],
  );
  assert.deepEqual(
    store.list(1).map((c) => c.record.path),
    ['/4'],
  );

  const small = new CaptureStore({ maxBytes: 2500 });
  for (let i = 0; i < 5; i++) small.add(record(`/${i}`, 'x'.repeat(1000)));
  assert.deepEqual(
    small.list(10).map((c) => c.record.path),
    ['/4', '/3'],
  );
  small.clear();
  assert.deepEqual(small.list(10), []);
});
