import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStaticAddress } from './static-address.ts';

test('host:port with a DNS name, IPv4 or bracketed IPv6 host parses', () => {
  assert.deepEqual(parseStaticAddress('example.com:443'), { host: 'example.com', port: 443 });
  assert.deepEqual(parseStaticAddress('127.0.0.1:1'), { host: '127.0.0.1', port: 1 });
  assert.deepEqual(parseStaticAddress('[::1]:65535'), { host: '::1', port: 65535 });
  assert.deepEqual(parseStaticAddress('svc_a.internal.:80'), { host: 'svc_a.internal.', port: 80 });
});

test('a bad address gets ngrok code 6505 (not host:port), 6507 (no host) or 6506 (invalid)', () => {
  const code = (value: string) => (parseStaticAddress(value) as { code?: string }).code;
  assert.equal(code(''), 'ERR_NGROK_6505');
  assert.equal(code('example.com'), 'ERR_NGROK_6505');
  assert.equal(code('http://example.com:80'), 'ERR_NGROK_6505');
  assert.equal(code(':80'), 'ERR_NGROK_6507');
  assert.equal(code('[]:80'), 'ERR_NGROK_6507');
  assert.equal(code('example.com:0'), 'ERR_NGROK_6506');
  assert.equal(code('example.com:65536'), 'ERR_NGROK_6506');
  assert.equal(code('example.com:http'), 'ERR_NGROK_6506');
  assert.equal(code('example.com:'), 'ERR_NGROK_6506');
  assert.equal(code('::1:80'), 'ERR_NGROK_6506');
  assert.equal(code('[example.com]:80'), 'ERR_NGROK_6506');
  assert.equal(code('bad host:80'), 'ERR_NGROK_6506');
  assert.equal(code('-a.example:80'), 'ERR_NGROK_6506');
  assert.equal(code(`${'a'.repeat(64)}.example:80`), 'ERR_NGROK_6506');
  assert.equal(code(`${'a.'.repeat(200)}example:80`), 'ERR_NGROK_6506');
});
