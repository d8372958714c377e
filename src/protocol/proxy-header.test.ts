import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProxyHeader } from './messages.ts';
import { StreamType } from './messages.ts';
import { encodeProxyHeader, readProxyHeader } from './proxy-header.ts';
import { nextStream, readAll, sessionPair, within } from '../../test/support/mux-pair.ts';

const header: ProxyHeader = {
  Id: 'tun_abc',
  ClientAddr: '203.0.113.9:51234',
  Proto: 'https',
  EdgeType: '',
  PassthroughTLS: false,
};

test('encodeProxyHeader: 8-byte little-endian length, then the JSON', () => {
  const bytes = encodeProxyHeader(header);
  const length = Number(bytes.readBigInt64LE(0));
  assert.equal(length, bytes.length - 8);
  assert.deepEqual(JSON.parse(bytes.subarray(8).toString()), header);
});

test('proxy header over a stream: the connection bytes after it arrive intact', async (t) => {
  const { client, server } = await sessionPair(t);
  const body = randomBytes(300 * 1024);
  const accepted = nextStream(client);
  const out = server.openStream(StreamType.Proxy);
  out.write(encodeProxyHeader(header));
  out.end(body);
  const stream = await within(accepted, 5000, 'proxy stream');
  assert.equal(stream.type, StreamType.Proxy);
  assert.deepEqual(await within(readProxyHeader(stream), 5000, 'header'), header);
  const rest = await within(readAll(stream), 5000, 'body');
  assert.ok(rest.equals(body));
});

test('proxy header split byte by byte, with data in the same chunk as its end', async () => {
  const stream = new PassThrough();
  const bytes = Buffer.concat([
    encodeProxyHeader({ ...header, EdgeType: '3', PassthroughTLS: true }),
    Buffer.from('GET / HTTP/1.1\r\n\r\n'),
  ]);
  const result = readProxyHeader(stream);
  for (let i = 0; i < bytes.length - 20; i++) stream.write(bytes.subarray(i, i + 1));
  await sleep(1);
  stream.end(bytes.subarray(bytes.length - 20));
  assert.equal((await result).EdgeType, '3');
  assert.equal((await readAll(stream)).toString(), 'GET / HTTP/1.1\r\n\r\n');
});

test('bad proxy headers are rejected with ERR_RPC_MALFORMED or ERR_RPC_TOO_LARGE', async () => {
  const prefixed = (json: string, length = Buffer.byteLength(json)) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(length));
    return Buffer.concat([b, Buffer.from(json)]);
  };
  const cases: [Buffer, string][] = [
    [prefixed('{}', -1), 'ERR_RPC_MALFORMED'],
    [prefixed('{}', 1 << 20), 'ERR_RPC_TOO_LARGE'],
    [prefixed('not json'), 'ERR_RPC_MALFORMED'],
    [prefixed(JSON.stringify({ ...header, EdgeType: 3 })), 'ERR_RPC_MALFORMED'],
    [prefixed(JSON.stringify({ Id: 'x' })), 'ERR_RPC_MALFORMED'],
    [prefixed(JSON.stringify(header)).subarray(0, 20), 'ERR_RPC_MALFORMED'],
    [Buffer.from([1, 2, 3]), 'ERR_RPC_MALFORMED'],
  ];
  for (const [bytes, code] of cases) {
    const stream = new PassThrough();
    const result = readProxyHeader(stream);
    stream.end(bytes);
    await assert.rejects(within(result, 1000, code), { code });
  }
});
