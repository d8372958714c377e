import assert from 'node:assert/strict';
import { once } from 'node:events';
import type net from 'node:net';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Flag, FrameType, MuxErrorCode } from './frame.ts';
import { MuxSession } from './session.ts';
import type { MuxCloseInfo } from './session.ts';
import type { MuxStream } from './stream.ts';
import { closeOf, rawFrame, readAll, socketPair, u32, within } from '../../test/support/mux-pair.ts';

interface RawFrame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** A plain socket speaking raw bytes to a server MuxSession. */
async function rawPeer(t: TestContext) {
  const { client: raw, server: socket } = await socketPair(t);
  raw.on('error', () => {});
  const server = new MuxSession(socket, { role: 'server' });
  t.after(() => server.destroy());
  const received: Buffer[] = [];
  raw.on('data', (d: Buffer) => received.push(d));
  const closed = closeOf(server);
  const frames = (): RawFrame[] => parse(Buffer.concat(received));
  return { raw, server, closed, frames };
}

function parse(bytes: Buffer): RawFrame[] {
  const out: RawFrame[] = [];
  for (let at = 0; at + 8 <= bytes.length;) {
    const length = bytes.readUIntBE(at, 3);
    out.push({
      type: bytes[at + 3]! >> 4,
      flags: bytes[at + 3]! & 15,
      streamId: bytes.readUInt32BE(at + 4),
      payload: bytes.subarray(at + 8, at + 8 + length),
    });
    at += 8 + length;
  }
  return out;
}

function open(id: number, type: number, data = '', flags = 0): Buffer {
  return rawFrame(FrameType.DATA, Flag.SYN | flags, id, Buffer.concat([u32(type), Buffer.from(data)]));
}

async function expectFatal(
  raw: net.Socket,
  closed: Promise<MuxCloseInfo>,
  frames: () => RawFrame[],
  code: string,
  muxCode: number,
): Promise<void> {
  const info = await within(closed, 5000, 'session close');
  assert.equal(info.error?.code, code);
  assert.equal(info.code, muxCode);
  assert.equal(info.remote, false);
  await within(once(raw, 'end'), 5000, 'the edge to end the socket');
  const away = frames().find((f) => f.type === FrameType.GOAWAY);
  assert.ok(away, 'a GOAWAY explains why');
  assert.equal(away.payload.readUInt32BE(4), muxCode);
}

test('garbage bytes: GOAWAY and a clear protocol error, no crash', async (t) => {
  const peer = await rawPeer(t);
  peer.raw.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]));
  await expectFatal(peer.raw, peer.closed, peer.frames, 'ERR_MUX_PROTOCOL', MuxErrorCode.PROTOCOL);

  // Plain HTTP parses as a WNDINC header with a huge length.
  const http = await rawPeer(t);
  http.raw.write('GET / HTTP/1.1\r\nHost: example\r\n\r\n');
  await expectFatal(http.raw, http.closed, http.frames, 'ERR_MUX_FRAME_SIZE', MuxErrorCode.FRAME_SIZE);
});

test('a truncated frame then EOF ends the session with an error', async (t) => {
  const peer = await rawPeer(t);
  peer.raw.end(rawFrame(FrameType.DATA, Flag.SYN, 3, Buffer.alloc(100)).subarray(0, 40));
  const info = await within(peer.closed, 5000, 'session close');
  assert.equal(info.remote, true);
  assert.equal(info.code, MuxErrorCode.PEER_EOF);
  assert.equal(info.error?.code, 'ERR_MUX_PROTOCOL');

  const clean = await rawPeer(t);
  clean.raw.end(open(3, 1, 'complete'));
  const cleanInfo = await within(clean.closed, 5000, 'session close');
  assert.equal(cleanInfo.error, undefined, 'EOF between frames is no violation');
});

test('unknown frame type, bad WNDINC length or increment, bad ids are protocol errors', async (t) => {
  const cases: [Buffer, string, number][] = [
    [rawFrame(4, 0, 3, Buffer.alloc(4)), 'ERR_MUX_PROTOCOL', MuxErrorCode.PROTOCOL],
    [
      Buffer.concat([open(3, 1), rawFrame(FrameType.WNDINC, 0, 3, Buffer.alloc(3))]),
      'ERR_MUX_FRAME_SIZE',
      MuxErrorCode.FRAME_SIZE,
    ],
    [Buffer.concat([open(3, 1), rawFrame(FrameType.WNDINC, 0, 3, u32(0))]), 'ERR_MUX_PROTOCOL', MuxErrorCode.PROTOCOL],
    [open(2, 1), 'ERR_MUX_PROTOCOL', MuxErrorCode.PROTOCOL],
    [Buffer.concat([open(3, 1), open(3, 1)]), 'ERR_MUX_PROTOCOL', MuxErrorCode.PROTOCOL],
    [rawFrame(FrameType.RST, 0, 0, u32(1)), 'ERR_MUX_PROTOCOL', MuxErrorCode.PROTOCOL],
  ];
  for (const [bytes, code, muxCode] of cases) {
    const peer = await rawPeer(t);
    peer.server.on('stream', () => {});
    peer.raw.write(bytes);
    await expectFatal(peer.raw, peer.closed, peer.frames, code, muxCode);
  }
});

test('a DATA frame past the window gets RST FLOW_CONTROL; the session goes on', async (t) => {
  const peer = await rawPeer(t);
  const errors: Promise<unknown[]>[] = [];
  peer.server.on('stream', (s) => {
    s.pause();
    errors.push(once(s, 'error'));
  });
  // Whole frame larger than the window, before the type is even known.
  peer.raw.write(rawFrame(FrameType.DATA, Flag.SYN, 3, Buffer.alloc(300 * 1024)));
  // Within the window frame by frame, past it in total.
  peer.raw.write(open(5, 9, 'x'.repeat(200 * 1024)));
  peer.raw.write(rawFrame(FrameType.DATA, 0, 5, Buffer.alloc(100 * 1024)));
  while (errors.length < 1) await sleep(5);
  const [err] = (await within(errors[0]!, 5000, 'flow-control error')) as [Error & { code?: string }];
  assert.equal(err.code, 'ERR_MUX_FLOW_CONTROL');
  // The frames for stream 5 may still be on their way: wait for both resets (bounded).
  const rstFrames = () => peer.frames().filter((f) => f.type === FrameType.RST);
  for (let waited = 0; rstFrames().length < 2 && waited < 5000; waited += 5) await sleep(5);
  const rsts = rstFrames();
  assert.deepEqual(
    rsts.map((f) => [f.streamId, f.payload.readUInt32BE(0)]),
    [
      [3, MuxErrorCode.FLOW_CONTROL],
      [5, MuxErrorCode.FLOW_CONTROL],
    ],
  );

  peer.server.removeAllListeners('stream');
  const next = new Promise<MuxStream>((resolve) => peer.server.once('stream', resolve));
  peer.raw.write(open(7, 1, 'still working', Flag.FIN));
  const stream = await within(next, 5000, 'a new stream');
  assert.equal((await readAll(stream)).toString(), 'still working');
  assert.equal(peer.server.isClosed, false);
});

test('DATA on a stream never opened, or after FIN, gets RST STREAM_CLOSED and is not fatal', async (t) => {
  const peer = await rawPeer(t);
  const streams: MuxStream[] = [];
  peer.server.on('stream', (s) => streams.push(s));
  peer.raw.write(rawFrame(FrameType.DATA, 0, 9, Buffer.from('who?')));
  peer.raw.write(open(3, 1, 'done', Flag.FIN));
  peer.raw.write(rawFrame(FrameType.DATA, 0, 3, Buffer.from('after fin')));
  peer.raw.write(rawFrame(FrameType.WNDINC, 0, 99, u32(10)));
  peer.raw.write(rawFrame(FrameType.RST, 0, 99, u32(0)));
  await within(
    (async () => {
      while (peer.frames().filter((f) => f.type === FrameType.RST).length < 2) await sleep(5);
    })(),
    5000,
    'two RSTs',
  );
  // The frames for stream 5 may still be on their way: wait for both resets (bounded).
  const rstFrames = () => peer.frames().filter((f) => f.type === FrameType.RST);
  for (let waited = 0; rstFrames().length < 2 && waited < 5000; waited += 5) await sleep(5);
  const rsts = rstFrames();
  assert.deepEqual(
    rsts.map((f) => [f.streamId, f.payload.readUInt32BE(0)]),
    [
      [9, MuxErrorCode.STREAM_CLOSED],
      [3, MuxErrorCode.STREAM_CLOSED],
    ],
  );
  assert.equal(streams.length, 1);
  assert.equal(peer.server.isClosed, false);
});
