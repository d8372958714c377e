import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../errors/catalogue.ts';
import { parseRawRequest, replayBytes } from './replay.ts';

test('an edited request (LF line ends, as a text box gives) is sent with its real length and Connection: close', () => {
  const req = parseRawRequest(
    Buffer.from('POST /x?y=1 HTTP/1.1\nHost: a\nContent-Length: 99\nConnection: keep-alive\n\nnew body'),
  );
  assert.deepEqual(req.headers, [
    ['Host', 'a'],
    ['Content-Length', '99'],
    ['Connection', 'keep-alive'],
  ]);
  assert.equal(
    replayBytes(req).toString(),
    'POST /x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\nConnection: close\r\n\r\nnew body',
  );
  const get = parseRawRequest(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
  assert.equal(replayBytes(get).toString(), 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
});

test('malformed requests are refused with ERR_INSPECTOR_REQUEST_INVALID', () => {
  for (const raw of ['', 'GET', 'GET x HTTP/1.1', 'GET / HTTP/2 extra', 'GET / HTTP/1.1\nno colon', 'G(T / HTTP/1.1']) {
    assert.throws(() => parseRawRequest(Buffer.from(raw)), { code: ErrorCode.ERR_INSPECTOR_REQUEST_INVALID }, raw);
  }
});
