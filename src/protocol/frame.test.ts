import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PorticoError } from '../errors/catalogue.ts';
import {
  Flag,
  FrameReader,
  FrameType,
  MuxErrorCode,
  decodeGoAway,
  encodeGoAway,
  encodeHeader,
  encodeRst,
  encodeWndInc,
} from './frame.ts';
import type { Frame } from './frame.ts';
import { rawFrame, u32 } from '../../test/support/mux-pair.ts';

function drain(reader: FrameReader): Frame[] {
  const out: Frame[] = [];
  for (let f = reader.next(); f !== null; f = reader.next()) out.push(f);
  return out;
}

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof PorticoError && err.code === code);
}

test('header layout: 24-bit length, type<<4|flags, 31-bit stream id', () => {
  const h = encodeHeader(FrameType.DATA, Flag.SYN, 3, 0x123456);
  assert.deepEqual([...h], [0x12, 0x34, 0x56, 0x12, 0, 0, 0, 3]);
  assert.deepEqual([...encodeRst(5, MuxErrorCode.FLOW_CONTROL)], [0, 0, 4, 0x00, 0, 0, 0, 5, 0, 0, 0, 3]);
  assert.deepEqual([...encodeWndInc(2, 0x40000)], [0, 0, 4, 0x20, 0, 0, 0, 2, 0, 4, 0, 0]);
  const away = encodeGoAway(7, MuxErrorCode.PROTOCOL, 'bye');
  assert.equal(away.readUIntBE(0, 3), 11, 'length is 8 + message, Go layout');
  assert.equal(away[3], 0x30);
  assert.deepEqual(decodeGoAway(away.subarray(8)), { lastStreamId: 7, code: 1, message: 'bye' });
});

test('reader: frames fed one byte at a time come out whole, DATA as pieces', () => {
  const bytes = Buffer.concat([
    rawFrame(FrameType.DATA, Flag.SYN, 3, Buffer.from('hello')),
    rawFrame(FrameType.WNDINC, 0, 3, u32(1000)),
    rawFrame(FrameType.DATA, Flag.FIN, 3, Buffer.alloc(0)),
    rawFrame(FrameType.RST, 0, 5, u32(MuxErrorCode.STREAM_CANCELLED)),
  ]);
  const reader = new FrameReader();
  const frames: Frame[] = [];
  for (const byte of bytes) {
    reader.push(Buffer.from([byte]));
    frames.push(...drain(reader));
  }
  const data = frames.filter((f) => f.type === FrameType.DATA && f.length > 0);
  assert.equal(Buffer.concat(data.map((f) => f.payload)).toString(), 'hello');
  assert.equal(data.length, 5, 'one piece per byte, no buffering');
  assert.ok(data[0]!.first && !data[0]!.last && data[4]!.last);
  const rest = frames.filter((f) => !(f.type === FrameType.DATA && f.length > 0));
  assert.deepEqual(
    rest.map((f) => [f.type, f.flags, f.streamId, f.payload.length]),
    [
      [FrameType.WNDINC, 0, 3, 4],
      [FrameType.DATA, Flag.FIN, 3, 0],
      [FrameType.RST, 0, 5, 4],
    ],
  );
  assert.equal(reader.midFrame, false);
});

test('reader: a DATA payload inside one chunk is a slice of it, not a copy', () => {
  const chunk = Buffer.concat([
    rawFrame(FrameType.DATA, 0, 3, Buffer.alloc(1000, 7)),
    rawFrame(FrameType.DATA, 0, 3, Buffer.alloc(10, 8)),
  ]);
  const reader = new FrameReader();
  reader.push(chunk);
  const frames = drain(reader);
  assert.equal(frames.length, 2);
  assert.equal(frames[0]!.payload.buffer, chunk.buffer);
  assert.equal(frames[0]!.payload.byteOffset, chunk.byteOffset + 8);
  assert.ok(frames.every((f) => f.first && f.last));
});

test('reader: rule breaks throw PorticoError codes and stop the reader', () => {
  const cases: [Buffer, string][] = [
    [rawFrame(5, 0, 3, Buffer.alloc(0)), 'ERR_MUX_PROTOCOL'],
    [rawFrame(FrameType.WNDINC, 0, 3, Buffer.alloc(3)), 'ERR_MUX_FRAME_SIZE'],
    [rawFrame(FrameType.RST, 0, 3, Buffer.alloc(5)), 'ERR_MUX_FRAME_SIZE'],
    [rawFrame(FrameType.WNDINC, 0, 3, u32(0)), 'ERR_MUX_PROTOCOL'],
    [rawFrame(FrameType.WNDINC, 0, 3, u32(0x80000000)), 'ERR_MUX_PROTOCOL'],
    [rawFrame(FrameType.DATA, 0, 0, Buffer.from('x')), 'ERR_MUX_PROTOCOL'],
    [rawFrame(FrameType.RST, 0, 0, u32(1)), 'ERR_MUX_PROTOCOL'],
    [rawFrame(FrameType.GOAWAY, 0, 3, Buffer.alloc(8)), 'ERR_MUX_PROTOCOL'],
  ];
  for (const [bytes, code] of cases) {
    const reader = new FrameReader();
    reader.push(bytes);
    throwsCode(() => reader.next(), code);
    reader.push(rawFrame(FrameType.DATA, 0, 3, Buffer.from('more')));
    assert.equal(reader.next(), null, 'nothing after a violation');
  }
});

test('reader: GOAWAY is terminal and its length is not trusted (Rust writes it 8 short)', () => {
  const message = Buffer.from('session closed by agent');
  const payload = Buffer.concat([u32(9), u32(MuxErrorCode.REMOTE_GONE_AWAY), message]);
  const rust = new FrameReader();
  rust.push(rawFrame(FrameType.GOAWAY, 0, 0, payload, message.length));
  const [away] = drain(rust);
  assert.deepEqual(decodeGoAway(away!.payload), {
    lastStreamId: 9,
    code: MuxErrorCode.REMOTE_GONE_AWAY,
    message: 'session closed by agent',
  });
  rust.push(rawFrame(FrameType.DATA, 0, 3, Buffer.from('late')));
  assert.equal(rust.next(), null);

  const empty = new FrameReader();
  empty.push(rawFrame(FrameType.GOAWAY, 0, 0, Buffer.alloc(0)));
  assert.deepEqual(decodeGoAway(drain(empty)[0]!.payload), { lastStreamId: 0, code: 0, message: '' });

  const split = new FrameReader();
  const go = rawFrame(FrameType.GOAWAY, 0, 0, Buffer.concat([u32(4), u32(MuxErrorCode.PROTOCOL)]));
  split.push(go.subarray(0, 12));
  assert.equal(split.next(), null, 'waits for the fixed 8 bytes');
  split.push(go.subarray(12));
  assert.equal(decodeGoAway(split.next()!.payload).code, MuxErrorCode.PROTOCOL);
});

test('reader: midFrame tells a truncated frame from a clean boundary', () => {
  const reader = new FrameReader();
  reader.push(rawFrame(FrameType.DATA, 0, 3, Buffer.alloc(100)).subarray(0, 50));
  drain(reader);
  assert.equal(reader.midFrame, true);
  const clean = new FrameReader();
  clean.push(rawFrame(FrameType.DATA, 0, 3, Buffer.alloc(100)));
  drain(clean);
  assert.equal(clean.midFrame, false);
});
