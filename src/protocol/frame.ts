/**
 * muxado frames (docs/protocol.md §2): the wire numbers, the 8-byte header, encoders for each
 * frame kind, and FrameReader, which turns socket chunks into frames. Wire numbers never change.
 */
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import { BufferQueue } from './buffer-queue.ts';

/** Frame types (high nibble of header byte 3). */
export const FrameType = { RST: 0, DATA: 1, WNDINC: 2, GOAWAY: 3 } as const;

/** DATA frame flags (low nibble of header byte 3). */
export const Flag = { FIN: 0x1, SYN: 0x2 } as const;

/** Error codes carried by RST and GOAWAY frames. */
export const MuxErrorCode = {
  NONE: 0,
  PROTOCOL: 1,
  INTERNAL: 2,
  FLOW_CONTROL: 3,
  STREAM_CLOSED: 4,
  STREAM_REFUSED: 5,
  STREAM_CANCELLED: 6,
  STREAM_RESET: 7,
  FRAME_SIZE: 8,
  ACCEPT_QUEUE_FULL: 9,
  ENHANCE_YOUR_CALM: 10,
  REMOTE_GONE_AWAY: 11,
  STREAMS_EXHAUSTED: 12,
  WRITE_TIMEOUT: 13,
  SESSION_CLOSED: 14,
  PEER_EOF: 15,
} as const;

/** Bytes in every frame header. */
export const HEADER_SIZE = 8;
/** Largest payload a 24-bit length field can describe, in bytes. */
export const MAX_PAYLOAD = 0xffffff;
/** Largest stream id (31 bits; the top bit is reserved). */
export const MAX_STREAM_ID = 0x7fffffff;
/** Largest WNDINC increment, in bytes. */
export const MAX_WINDOW_INCREMENT = 0x7fffffff;

const typeNames = ['RST', 'DATA', 'WNDINC', 'GOAWAY'];
const errorNames = Object.keys(MuxErrorCode);

/** The name of a muxado error code for messages, e.g. `FLOW_CONTROL`; `UNKNOWN(99)` otherwise. */
export function muxErrorName(code: number): string {
  return errorNames[code] ?? `UNKNOWN(${code})`;
}

/** One frame, or for DATA one piece of a frame's payload (see `first` and `last`). */
export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  /** Payload length from the header, in bytes (for the whole frame, not this piece). */
  length: number;
  /**
   * Payload bytes, a slice of a socket chunk where possible. DATA payloads are handed out as
   * they arrive, so one DATA frame may come as several pieces; other frames come whole.
   */
  payload: Buffer;
  /** True on the first piece of a frame: where per-frame checks (SYN, window) belong. */
  first: boolean;
  /** True on the last piece of a frame: where FIN takes effect. */
  last: boolean;
}

/** Writes a header at `offset` of `target`. */
export function writeHeader(
  target: Buffer,
  offset: number,
  type: number,
  flags: number,
  streamId: number,
  length: number,
): void {
  target[offset] = (length >>> 16) & 0xff;
  target[offset + 1] = (length >>> 8) & 0xff;
  target[offset + 2] = length & 0xff;
  target[offset + 3] = ((type & 0x0f) << 4) | (flags & 0x0f);
  target.writeUInt32BE(streamId & MAX_STREAM_ID, offset + 4);
}

/** An 8-byte header. */
export function encodeHeader(type: number, flags: number, streamId: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_SIZE);
  writeHeader(buf, 0, type, flags, streamId, length);
  return buf;
}

/** A whole DATA frame in one buffer (copies the payload: for small payloads only). */
export function encodeData(streamId: number, flags: number, payload: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  writeHeader(buf, 0, FrameType.DATA, flags, streamId, payload.length);
  payload.copy(buf, HEADER_SIZE);
  return buf;
}

/** An RST frame carrying `code` (a MuxErrorCode). */
export function encodeRst(streamId: number, code: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_SIZE + 4);
  writeHeader(buf, 0, FrameType.RST, 0, streamId, 4);
  buf.writeUInt32BE(code >>> 0, HEADER_SIZE);
  return buf;
}

/** A WNDINC frame granting `increment` bytes (1..MAX_WINDOW_INCREMENT). */
export function encodeWndInc(streamId: number, increment: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_SIZE + 4);
  writeHeader(buf, 0, FrameType.WNDINC, 0, streamId, 4);
  buf.writeUInt32BE(increment, HEADER_SIZE);
  return buf;
}

/** A GOAWAY frame in Go's layout: length = 8 + message bytes. */
export function encodeGoAway(lastStreamId: number, code: number, message = ''): Buffer {
  const text = Buffer.from(message, 'utf8').subarray(0, MAX_PAYLOAD - 8);
  const buf = Buffer.allocUnsafe(HEADER_SIZE + 8 + text.length);
  writeHeader(buf, 0, FrameType.GOAWAY, 0, 0, 8 + text.length);
  buf.writeUInt32BE(lastStreamId & MAX_STREAM_ID, HEADER_SIZE);
  buf.writeUInt32BE(code >>> 0, HEADER_SIZE + 4);
  text.copy(buf, HEADER_SIZE + 8);
  return buf;
}

/** What a GOAWAY payload says; fields missing from a short payload read as 0 / "". */
export interface GoAway {
  lastStreamId: number;
  code: number;
  message: string;
}

export function decodeGoAway(payload: Buffer): GoAway {
  return {
    lastStreamId: payload.length >= 4 ? payload.readUInt32BE(0) & MAX_STREAM_ID : 0,
    code: payload.length >= 8 ? payload.readUInt32BE(4) : MuxErrorCode.NONE,
    message: payload.length > 8 ? payload.subarray(8).toString('utf8') : '',
  };
}

interface PendingFrame {
  type: number;
  flags: number;
  streamId: number;
  length: number;
  /** DATA payload bytes not yet handed out. */
  remaining: number;
}

/**
 * Parses frames from socket chunks: `push()` each chunk, then call `next()` until it returns
 * null. `next()` throws a PorticoError (ERR_MUX_PROTOCOL or ERR_MUX_FRAME_SIZE) on a frame that
 * breaks the rules; after that, and after a GOAWAY, the reader returns nothing more.
 */
export class FrameReader {
  private readonly queue = new BufferQueue();
  private pending: PendingFrame | null = null;
  private done = false;

  /** True when bytes of an unfinished frame are held (a connection ending now was cut short). */
  get midFrame(): boolean {
    return !this.done && (this.pending !== null || this.queue.length > 0);
  }

  push(chunk: Buffer): void {
    if (!this.done) this.queue.push(chunk);
  }

  next(): Frame | null {
    if (this.done) return null;
    try {
      return this.parse();
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  private parse(): Frame | null {
    let p = this.pending;
    if (p === null) {
      if (this.queue.length < HEADER_SIZE) return null;
      p = this.pending = readHeader(this.queue.read(HEADER_SIZE));
      if (p.type === FrameType.DATA && p.length === 0) return this.complete(p, Buffer.alloc(0), true);
    }
    if (p.type === FrameType.DATA) {
      if (this.queue.length === 0) return null;
      const first = p.remaining === p.length;
      const payload = this.queue.take(p.remaining);
      p.remaining -= payload.length;
      return this.complete(p, payload, first);
    }
    if (p.type === FrameType.GOAWAY) return this.goAway(p);
    // RST and WNDINC: exactly 4 bytes, checked in readHeader.
    if (this.queue.length < 4) return null;
    const payload = this.queue.read(4);
    if (p.type === FrameType.WNDINC) {
      const increment = payload.readUInt32BE(0);
      if (increment === 0 || increment > MAX_WINDOW_INCREMENT) {
        throw new PorticoError(ErrorCode.ERR_MUX_PROTOCOL, `WNDINC of ${increment} on stream ${p.streamId}`);
      }
    }
    return this.complete(p, payload, true);
  }

  // A GOAWAY ends the session, and the Rust SDK writes its length 8 short, so its length is not
  // trusted: wait for the fixed 8 bytes, keep whatever message bytes already arrived, stop.
  private goAway(p: PendingFrame): Frame | null {
    const fixed = Math.min(p.length, 8);
    if (this.queue.length < fixed) return null;
    const payload = this.queue.read(Math.min(this.queue.length, p.length + 8));
    const frame = this.complete(p, payload, true);
    this.stop();
    return frame;
  }

  private complete(p: PendingFrame, payload: Buffer, first: boolean): Frame {
    const last = p.remaining === 0 || p.type !== FrameType.DATA;
    if (last) this.pending = null;
    return { type: p.type, flags: p.flags, streamId: p.streamId, length: p.length, payload, first, last };
  }

  private stop(): void {
    this.done = true;
    this.pending = null;
    this.queue.clear();
  }
}

function readHeader(h: Buffer): PendingFrame {
  const length = (h[0] << 16) | (h[1] << 8) | h[2];
  const type = h[3] >> 4;
  const flags = h[3] & 0x0f;
  const streamId = h.readUInt32BE(4) & MAX_STREAM_ID;
  const name = typeNames[type];
  if (name === undefined) throw new PorticoError(ErrorCode.ERR_MUX_PROTOCOL, `unknown frame type ${type}`);
  if (type === FrameType.GOAWAY) {
    if (streamId !== 0) throw new PorticoError(ErrorCode.ERR_MUX_PROTOCOL, `GOAWAY on stream ${streamId}`);
  } else if (streamId === 0) {
    throw new PorticoError(ErrorCode.ERR_MUX_PROTOCOL, `${name} frame on stream 0`);
  }
  if ((type === FrameType.RST || type === FrameType.WNDINC) && length !== 4) {
    throw new PorticoError(
      ErrorCode.ERR_MUX_FRAME_SIZE,
      `${name} frame of ${length} bytes on stream ${streamId}, expected 4`,
    );
  }
  return { type, flags, streamId, length, remaining: type === FrameType.DATA ? length : 0 };
}
