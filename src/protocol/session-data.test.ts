import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Duplex } from 'node:stream';
import { Flag, FrameType } from './frame.ts';
import { MuxSession } from './session.ts';
import { STREAM_HIGH_WATER_MARK } from './stream.ts';
import type { MuxStream } from './stream.ts';
import type { MuxSessionOptions } from './session-options.ts';
import {
  hashAll,
  nextStream,
  rawFrame,
  readAll,
  sessionPair,
  sha256,
  u32,
  within,
  writeAll,
} from '../../test/support/mux-pair.ts';

const WINDOW = 0x40000;

test('20 concurrent streams carry 4 MiB each way, byte-exact', async (t) => {
  const { client, server } = await sessionPair(t);
  const STREAMS = 20;
  const SIZE = 4 * 1024 * 1024;
  // One random pool; each stream and direction sends a different window of it.
  const pool = randomBytes(SIZE + 4096);
  const upData = (i: number) => pool.subarray(i * 97, i * 97 + SIZE);
  const downData = (i: number) => pool.subarray(4096 - i * 89, 4096 - i * 89 + SIZE);

  const serverDone: Promise<{ id: number; up: string }>[] = [];
  server.on('stream', (stream) => {
    const index = stream.type - 100;
    const up = hashAll(stream);
    const down = writeAll(stream, downData(index), 70_000, index + 7);
    serverDone.push(Promise.all([up, down]).then(([h]) => ({ id: index, up: h.hash })));
  });

  const clientDone = Array.from({ length: STREAMS }, async (_, i) => {
    const stream = client.openStream(100 + i);
    const [down] = await Promise.all([hashAll(stream), writeAll(stream, upData(i), 100_000, i + 1)]);
    assert.equal(down.bytes, SIZE);
    assert.equal(down.hash, sha256(downData(i)), `stream ${i} down`);
  });
  await within(Promise.all(clientDone), 60_000, 'all streams');
  const ups = await Promise.all(serverDone);
  assert.equal(ups.length, STREAMS);
  for (const { id, up } of ups) assert.equal(up, sha256(upData(id)), `stream ${id} up`);
  await within(
    (async () => {
      while (client.activeStreams + server.activeStreams > 0) await sleep(5);
    })(),
    5000,
    'streams to be released',
  );
});

test('a paused reader stalls the writer; memory stays within window + high-water mark', async (t) => {
  const { client, server } = await sessionPair(t);
  const TOTAL = 16 * 1024 * 1024;
  const CHUNK = 64 * 1024;
  const data = randomBytes(TOTAL);
  const accepted = nextStream(server);
  const stream = client.openStream(7);
  const remote = await accepted;
  const received = hashAll(remote);
  remote.pause();

  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, remote.bufferedBytes)), 1);
  remote.on('data', () => (peak = Math.max(peak, remote.bufferedBytes)));
  t.after(() => clearInterval(sampler));

  // One write at a time, so each callback shows how far the sender got.
  let acknowledged = 0;
  const writer = (async () => {
    for (let offset = 0; offset < TOTAL; offset += CHUNK) {
      await new Promise<void>((resolve, reject) =>
        stream.write(data.subarray(offset, offset + CHUNK), (err) => (err ? reject(err) : resolve())),
      );
      acknowledged += CHUNK;
    }
    stream.end();
  })();
  await sleep(300);
  const stalledAt = acknowledged;
  await sleep(100);
  assert.equal(acknowledged, stalledAt, 'no progress while the reader is paused');
  assert.ok(stalledAt > 0 && stalledAt <= WINDOW + STREAM_HIGH_WATER_MARK, `writer stalled after ${stalledAt} bytes`);
  assert.ok(remote.bufferedBytes > 0);

  remote.resume();
  const result = await within(received, 20_000, 'all bytes');
  await writer;
  clearInterval(sampler);
  assert.equal(result.bytes, TOTAL);
  assert.equal(result.hash, sha256(data));
  assert.equal(acknowledged, TOTAL);
  assert.ok(peak <= WINDOW + STREAM_HIGH_WATER_MARK, `peak ${peak} bytes held`);
});

/** Writes `data` in 64 KiB writes, one at a time; `progress()` says how many were acknowledged. */
function steadyWriter(stream: MuxStream, data: Buffer): { done: Promise<void>; progress: () => number } {
  let acknowledged = 0;
  const done = (async () => {
    for (let offset = 0; offset < data.length; offset += 64 * 1024) {
      await new Promise<void>((resolve, reject) =>
        stream.write(data.subarray(offset, offset + 64 * 1024), (err) => (err ? reject(err) : resolve())),
      );
      acknowledged += Math.min(64 * 1024, data.length - offset);
    }
    stream.end();
  })();
  return { done, progress: () => acknowledged };
}

/** Resolves once `progress()` has not moved for 200 ms. */
async function stalled(progress: () => number): Promise<number> {
  for (let last = -1; ;) {
    await sleep(200);
    if (progress() === last) return last;
    last = progress();
  }
}

/**
 * Sends `size` random bytes on a new stream whose reader keeps up until `pauseAt` bytes, then
 * pauses; resolves once the writer stalls with how far it got ahead of the reader. `finish()`
 * resumes the reader and checks every byte arrived.
 */
async function aheadWhenPaused(
  t: TestContext,
  serverOptions: Partial<MuxSessionOptions>,
  size: number,
  pauseAt: number,
): Promise<{ ahead: number; held: number; finish: () => Promise<void> }> {
  const { client, server } = await sessionPair(t, {}, serverOptions);
  const data = randomBytes(size);
  const accepted = nextStream(server);
  const stream = client.openStream(7);
  const remote = await accepted;
  const received = hashAll(remote);
  let consumed = 0;
  remote.on('data', (c: Buffer) => {
    consumed += c.length;
    if (consumed >= pauseAt && consumed - c.length < pauseAt) remote.pause();
  });
  const writer = steadyWriter(stream, data);
  const sent = await within(stalled(writer.progress), 20_000, 'the writer to stall');
  const finish = async () => {
    remote.resume();
    assert.equal((await within(received, 20_000, 'all bytes')).hash, sha256(data));
    await writer.done;
  };
  return { ahead: sent - consumed, held: remote.bufferedBytes, finish };
}

test('a reader that keeps up grows the window up to maxWindowSize; paused, it then holds at most that', async (t) => {
  const MAX = 2 * 1024 * 1024;
  const { ahead, held, finish } = await aheadWhenPaused(t, { maxWindowSize: MAX }, 24 * 1024 * 1024, 12 * 1024 * 1024);
  assert.ok(ahead > WINDOW + STREAM_HIGH_WATER_MARK, `the window grew: the writer got ${ahead} bytes ahead`);
  assert.ok(ahead <= MAX + STREAM_HIGH_WATER_MARK + 64 * 1024, `but not past ${MAX}: ${ahead} bytes ahead`);
  assert.ok(held <= MAX + STREAM_HIGH_WATER_MARK, `${held} bytes held`);
  await finish();
});

test('window growth is bounded per session: streams share windowGrowthBudget', async (t) => {
  const options = { maxWindowSize: 4 * 1024 * 1024, windowGrowthBudget: 0 };
  const { ahead, finish } = await aheadWhenPaused(t, options, 8 * 1024 * 1024, 4 * 1024 * 1024);
  assert.ok(ahead <= WINDOW + STREAM_HIGH_WATER_MARK, `no budget, no growth: ${ahead} ahead`);
  await finish();
});

/**
 * A server session on a socket the test plays (it pushes what the peer sends) and the chunks its
 * streams' readers receive.
 */
function playedSocket(t: TestContext): { wire: Duplex; chunks: Buffer[] } {
  const wire = new Duplex({ read() {}, write: (_chunk, _encoding, done) => done() });
  const server = new MuxSession(wire, { role: 'server' });
  t.after(() => server.destroy());
  const chunks: Buffer[] = [];
  server.on('stream', (stream) => stream.on('data', (chunk: Buffer) => chunks.push(chunk)));
  return { wire, chunks };
}

test('a frame that arrives in pieces reaches the reader in one chunk; one that trickles is not held back', async (t) => {
  // The session's socket hands over a frame in pieces, as a TLS socket does one 16 KiB record
  // at a time; here the test plays the socket.
  const { wire, chunks } = playedSocket(t);

  const whole = randomBytes(60_000);
  const frame = rawFrame(FrameType.DATA, Flag.SYN, 3, Buffer.concat([u32(9), whole]));
  for (let at = 0; at < frame.length; at += 16_384) wire.push(frame.subarray(at, at + 16_384));
  await within(
    (async () => {
      while (Buffer.concat(chunks).length < whole.length) await sleep(1);
    })(),
    5000,
    'the frame',
  );
  assert.equal(chunks.length, 1, 'one chunk, not one per piece');
  assert.deepEqual(chunks[0], whole);

  // A frame whose rest has not come yet: what came reaches the reader in this turn of the loop.
  chunks.length = 0;
  const next = rawFrame(FrameType.DATA, 0, 3, randomBytes(30_000));
  wire.push(next.subarray(0, 10_008));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(Buffer.concat(chunks).length, 10_000);
  wire.push(next.subarray(10_008));
  await within(
    (async () => {
      while (Buffer.concat(chunks).length < 30_000) await sleep(1);
    })(),
    5000,
    'the rest',
  );
  assert.deepEqual(Buffer.concat(chunks), next.subarray(8));
});

test('large frames that one read brings reach the reader together at the end of the turn; a small frame at once', async (t) => {
  // As an HTTP upload comes: one 16 KiB DATA frame per TLS record of the client's, several per
  // read of the session's socket. The test plays the socket, one piece per record.
  const { wire, chunks } = playedSocket(t);
  wire.push(rawFrame(FrameType.DATA, Flag.SYN, 3, u32(9)));
  await new Promise((resolve) => setImmediate(resolve));

  const small = randomBytes(1_000);
  wire.push(rawFrame(FrameType.DATA, 0, 3, small));
  assert.deepEqual(chunks, [small], 'a small frame is handed on as soon as it is complete');

  chunks.length = 0;
  const large = [randomBytes(16_384), randomBytes(16_384), randomBytes(16_384)];
  for (const payload of large) wire.push(rawFrame(FrameType.DATA, 0, 3, payload));
  assert.equal(chunks.length, 0, 'large frames wait for the end of the turn');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(chunks.length, 1, 'the three frames leave as one chunk');
  assert.deepEqual(chunks[0], Buffer.concat(large));

  // Up to the high-water mark, not beyond: what reaches it is handed on at once.
  chunks.length = 0;
  const many = Array.from({ length: 5 }, () => randomBytes(16_384));
  for (const payload of many) wire.push(rawFrame(FrameType.DATA, 0, 3, payload));
  assert.equal(Buffer.concat(chunks).length, STREAM_HIGH_WATER_MARK, 'a high-water mark of bytes at once');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(Buffer.concat(chunks), Buffer.concat(many));
});

test('FIN half-close: request then response, and response before the request ends', async (t) => {
  const { client, server } = await sessionPair(t);

  // Client finishes first, then the server answers and finishes.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- a rejection fails the test by timing out below.
  server.once('stream', async (stream) => {
    const request = await readAll(stream);
    stream.end(Buffer.concat([Buffer.from('echo:'), request]));
  });
  const a = client.openStream(1);
  a.end('ping');
  assert.equal((await within(readAll(a), 5000, 'response')).toString(), 'echo:ping');

  // Server finishes first; the client keeps writing on its still-open half.
  const accepted = nextStream(server);
  const b = client.openStream(2);
  b.write('first');
  const remote = await accepted;
  const rest = readAll(remote);
  remote.end('bye early');
  assert.equal((await within(readAll(b), 5000, 'early response')).toString(), 'bye early');
  assert.ok(b.writable, 'our half is still open');
  b.end('+second');
  assert.equal((await within(rest, 5000, 'request')).toString(), 'first+second');

  await within(
    (async () => {
      while (client.activeStreams + server.activeStreams > 0) await sleep(5);
    })(),
    5000,
    'streams to be released',
  );
});

test('RST mid-stream fails that stream only; the session and other streams go on', async (t) => {
  const { client, server } = await sessionPair(t);
  const remotes: MuxStream[] = [];
  server.on('stream', (s) => remotes.push(s));
  const doomed = client.openStream(1);
  const healthy = client.openStream(2);
  doomed.write(randomBytes(100_000));
  healthy.write('hello');
  while (remotes.length < 2) await sleep(5);
  const [remoteDoomed, remoteHealthy] = remotes as [MuxStream, MuxStream];

  const failed = once(doomed, 'error');
  remoteDoomed.reset();
  const [err] = (await within(failed, 5000, 'reset error')) as [Error & { code?: string }];
  assert.equal(err.code, 'ERR_MUX_STREAM_RESET');
  assert.match(err.message, /STREAM_CANCELLED/);

  // The other direction: a local destroy() resets the peer's stream.
  const third = client.openStream(3);
  third.write('x');
  while (remotes.length < 3) await sleep(5);
  const remoteThird = remotes[2]!;
  const thirdFailed = once(remoteThird, 'error');
  third.destroy();
  assert.equal(((await within(thirdFailed, 5000, 'cancel'))[0] as { code: string }).code, 'ERR_MUX_STREAM_RESET');

  // A reset stream with no error listener of its own must not crash the process.
  const quiet = client.openStream(4);
  quiet.write('y');
  while (remotes.length < 4) await sleep(5);
  remotes[3]!.reset();
  await sleep(50);

  healthy.end(' world');
  const echoed = readAll(remoteHealthy);
  remoteHealthy.end('still here');
  assert.equal((await within(echoed, 5000, 'healthy stream')).toString(), 'hello world');
  assert.equal((await within(readAll(healthy), 5000, 'healthy reply')).toString(), 'still here');
  assert.equal(client.isClosed || server.isClosed, false);
});

test('stream ids: client 3, 5, 7…; server 2, 4, 6…; the type arrives with the stream', async (t) => {
  const { client, server } = await sessionPair(t);
  const seenByServer: [number, number][] = [];
  const seenByClient: [number, number][] = [];
  server.on('stream', (s) => seenByServer.push([s.id, s.type]));
  client.on('stream', (s) => seenByClient.push([s.id, s.type]));
  const opened = [client.openStream(10), client.openStream(11), client.openStream(0xffffffff)];
  const openedByServer = [server.openStream(3), server.openStream(4), server.openStream(5)];
  assert.deepEqual(
    opened.map((s) => s.id),
    [3, 5, 7],
  );
  assert.deepEqual(
    openedByServer.map((s) => s.id),
    [2, 4, 6],
  );
  await within(
    (async () => {
      while (seenByServer.length < 3 || seenByClient.length < 3) await sleep(5);
    })(),
    5000,
    'streams',
  );
  assert.deepEqual(seenByServer, [
    [3, 10],
    [5, 11],
    [7, 0xffffffff],
  ]);
  assert.deepEqual(seenByClient, [
    [2, 3],
    [4, 4],
    [6, 5],
  ]);
});

test('stream limits: incoming beyond the limit is refused, outgoing beyond it throws', async (t) => {
  const { client, server } = await sessionPair(t, { maxOutgoingStreams: 3 }, { maxIncomingStreams: 2 });
  let accepted = 0;
  server.on('stream', () => accepted++);
  const first = client.openStream(1);
  const second = client.openStream(1);
  const third = client.openStream(1);
  const refused = once(third, 'error');
  const [err] = (await within(refused, 5000, 'refusal')) as [Error & { code?: string }];
  assert.equal(err.code, 'ERR_MUX_STREAM_RESET');
  assert.match(err.message, /STREAM_REFUSED/);
  assert.equal(accepted, 2);

  assert.equal(client.activeStreams, 2, 'the refused stream is released');
  client.openStream(1);
  assert.throws(() => client.openStream(1), { code: 'ERR_MUX_STREAMS_EXHAUSTED' });
  first.destroy();
  second.destroy();
  assert.doesNotThrow(() => client.openStream(1));
});
