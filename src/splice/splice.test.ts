import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { STREAM_HIGH_WATER_MARK } from '../protocol/stream.ts';
import { hashAll, nextStream, sessionPair, sha256, socketPair, within, writeAll } from '../../test/support/mux-pair.ts';
import { splice } from './splice.ts';

const WINDOW = 0x40000;

// A tunnel stream spliced into a socket hands each received piece on as it came, the socket
// corked for the turn (MuxStream.pipedTo): what must hold is what held when pieces were joined.

test('a tunnel stream spliced into a socket: 8 MiB each way byte-exact, half-closes passed on', async (t) => {
  const { client, server } = await sessionPair(t);
  const sockets = await socketPair(t, { allowHalfOpen: true });
  const up = randomBytes(8 * 1024 * 1024);
  const down = randomBytes(8 * 1024 * 1024 + 17);
  const accepted = nextStream(server);
  const stream = client.openStream(7);
  splice(await accepted, sockets.client);

  // sockets.server is the service: it reads the upload to its end, then sends the download.
  const service = (async () => {
    const got = await hashAll(sockets.server);
    await new Promise<void>((resolve) => sockets.server.end(down, resolve));
    return got;
  })();
  const [downloaded] = await within(
    Promise.all([hashAll(stream), writeAll(stream, up, 40_000, 3)]),
    30_000,
    'both directions',
  );
  const uploaded = await service;
  assert.deepEqual(uploaded, { hash: sha256(up), bytes: up.length });
  assert.deepEqual(downloaded, { hash: sha256(down), bytes: down.length });
});

test('a tunnel stream spliced into a socket whose reader stalls holds no more than window + high-water marks', async (t) => {
  // The window held at its first size, so that what the kernel's socket buffers take in at first
  // does not grow it.
  const { client, server } = await sessionPair(t, {}, { maxWindowSize: WINDOW });
  const sockets = await socketPair(t, { allowHalfOpen: true });
  const data = randomBytes(32 * 1024 * 1024);
  const accepted = nextStream(server);
  const stream = client.openStream(7);
  const remote = await accepted;
  splice(remote, sockets.client);
  const received = hashAll(sockets.server);
  sockets.server.pause();

  let acknowledged = 0;
  const writer = (async () => {
    for (let offset = 0; offset < data.length; offset += 64 * 1024) {
      await new Promise<void>((resolve, reject) =>
        stream.write(data.subarray(offset, offset + 64 * 1024), (err) => (err ? reject(err) : resolve())),
      );
      acknowledged += 64 * 1024;
    }
    stream.end();
  })();
  await sleep(400);
  const stalledAt = acknowledged;
  await sleep(100);
  assert.equal(acknowledged, stalledAt, 'no progress while the service does not read');
  assert.ok(stalledAt < data.length, `the writer stalled after ${stalledAt} bytes`);
  // What the edge or agent holds for the stream: its queue and Node's buffers on both sides of the pipe.
  const held = remote.bufferedBytes + sockets.client.writableLength;
  assert.ok(held <= WINDOW + 2 * STREAM_HIGH_WATER_MARK, `${held} bytes held`);

  sockets.server.resume();
  const result = await within(received, 20_000, 'all bytes');
  await writer;
  assert.deepEqual(result, { hash: sha256(data), bytes: data.length });
});
