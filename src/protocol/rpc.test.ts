import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamType } from './messages.ts';
import { readJson, rpcCall, writeJsonAndEnd } from './rpc.ts';
import { nextStream, readAll, sessionPair, within } from '../../test/support/mux-pair.ts';

test('readJson: a value split over chunks resolves without waiting for the end', async () => {
  const stream = new PassThrough();
  const result = readJson(stream);
  const text = JSON.stringify({ Id: 'tun_1', Note: 'héllo wörld', Nested: { n: 12345 } });
  const bytes = Buffer.from(text);
  // Split inside a multi-byte character too.
  for (const [a, b] of [
    [0, 5],
    [5, 20],
    [20, 21],
    [21, bytes.length],
  ] as const) {
    stream.write(bytes.subarray(a, b));
    await sleep(1);
  }
  assert.deepEqual(await within(result, 1000, 'json'), JSON.parse(text));
});

test('readJson: Go style with a trailing newline, Rust style without; numbers wait for the end', async () => {
  const go = new PassThrough();
  const goResult = readJson(go);
  go.write('{"Version":["3","2"]}\n');
  assert.deepEqual(await within(goResult, 1000, 'go'), { Version: ['3', '2'] });

  const number = new PassThrough();
  const numberResult = readJson(number);
  number.write('12');
  number.end('34');
  assert.equal(await within(numberResult, 1000, 'number'), 1234);
});

test('readJson: too large, malformed, empty and silent streams fail with stable codes', async () => {
  const big = new PassThrough();
  const bigResult = readJson(big, { maxBytes: 100 });
  big.write(`{"a":"${'x'.repeat(200)}"}`);
  await assert.rejects(bigResult, { code: 'ERR_RPC_TOO_LARGE' });

  const bad = new PassThrough();
  const badResult = readJson(bad);
  bad.end('{"not json"');
  await assert.rejects(badResult, { code: 'ERR_RPC_MALFORMED' });

  const empty = new PassThrough();
  const emptyResult = readJson(empty);
  empty.end();
  await assert.rejects(emptyResult, { code: 'ERR_RPC_MALFORMED' });

  const silent = new PassThrough();
  await assert.rejects(readJson(silent, { timeoutMs: 50 }), { code: 'ERR_RPC_TIMEOUT' });
});

test('rpcCall over a session: request without FIN, reply read up to the FIN', async (t) => {
  const { client, server } = await sessionPair(t);
  const served: Promise<void>[] = [];
  server.on('stream', (stream) => {
    served.push(
      (async () => {
        assert.equal(stream.type, StreamType.Bind);
        const request = (await readJson(stream)) as { Id: string };
        assert.equal(stream.readableEnded, false, 'the agent did not half-close');
        // The reply arrives in two parts; rpcCall must wait for the FIN, not the first chunk.
        stream.write('{"Id":');
        await sleep(20);
        stream.end(`${JSON.stringify(request.Id)}}`);
        await readAll(stream);
      })(),
    );
  });
  const reply = rpcCall(client, StreamType.Bind, { Id: 'tun_42' });
  assert.deepEqual(await within(reply, 5000, 'reply'), { Id: 'tun_42' });
  await within(Promise.all(served), 5000, 'server side');
});

test('writeJsonAndEnd: JSON then FIN, read by readJson on the other side', async (t) => {
  const { client, server } = await sessionPair(t);
  const accepted = nextStream(server);
  const stream = client.openStream(StreamType.Auth);
  writeJsonAndEnd(stream, { Version: ['3'], Extra: { Note: 'x'.repeat(200_000) } });
  const remote = await within(accepted, 5000, 'stream');
  const value = (await within(readJson(remote), 5000, 'json')) as { Extra: { Note: string } };
  assert.equal(value.Extra.Note.length, 200_000);
});

test('rpcCall: a peer that never answers times out; a reset stream rejects', async (t) => {
  const { client, server } = await sessionPair(t);
  server.on('stream', (stream) => {
    if (stream.type === StreamType.Unbind) stream.reset();
  });
  await assert.rejects(rpcCall(client, StreamType.Auth, {}, { timeoutMs: 50 }), { code: 'ERR_RPC_TIMEOUT' });
  await assert.rejects(rpcCall(client, StreamType.Unbind, {}), { code: 'ERR_MUX_STREAM_RESET' });
  client.destroy();
  await assert.rejects(rpcCall(client, StreamType.Auth, {}), { code: 'ERR_MUX_SESSION_CLOSED' });
});
