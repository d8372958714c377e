import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader } from './ws-frames.ts';
import type { SeenFrame } from './ws-frames.ts';

/** A frame as a client sends it (masked) or a server (not). */
function frame(opcode: number, payload: Buffer, mask?: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : Buffer.from([0x80 | opcode, 126, len >> 8, len & 255]);
  if (!mask) return Buffer.concat([head, payload]);
  head[1]! |= 0x80;
  return Buffer.concat([head, mask, payload.map((b, i) => b ^ mask[i % 4]!)]);
}

test('frames split anywhere are read, unmasked, and cut to the kept bytes', () => {
  const seen: SeenFrame[] = [];
  const reader = new FrameReader(4, (f) => seen.push(f));
  const bytes = Buffer.concat([
    frame(1, Buffer.from('hello'), Buffer.from([1, 2, 3, 4])),
    frame(2, Buffer.alloc(300, 7)),
    frame(9, Buffer.alloc(0)),
  ]);
  for (const byte of bytes) reader.push(Buffer.from([byte]));
  assert.deepEqual(
    seen.map((f) => [f.kind, f.length, f.data.toString('hex')]),
    [
      ['text', 5, Buffer.from('hell').toString('hex')],
      ['binary', 300, '07070707'],
      ['ping', 0, ''],
    ],
  );
});

test('bytes that are not frames stop the reader', () => {
  const reader = new FrameReader(4, () => assert.fail('no frame'));
  reader.push(Buffer.from([0xb1, 0x00]));
  assert.equal(reader.broken, true);
});
