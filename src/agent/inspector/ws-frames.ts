/**
 * A passive reader of WebSocket frames (RFC 6455 §5.2) for the inspector: it is shown the bytes
 * of one direction of an upgraded connection and reports each frame with the first bytes of its
 * payload, unmasked. It keeps at most one frame header and `keepBytes` of payload, whatever the
 * frame sizes; it never touches the stream it reads.
 */

/** One frame as seen. */
export interface SeenFrame {
  /** `text`, `binary`, `continuation`, `close`, `ping`, `pong`, or `opcode N`. */
  kind: string;
  /** Whether the payload is compressed (permessage-deflate, RSV1): `data` is then not readable as is. */
  compressed: boolean;
  /** The first bytes of the payload, unmasked. */
  data: Buffer;
  /** The payload's full length. */
  length: number;
}

const kinds: Record<number, string> = { 0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };

export class FrameReader {
  #head = Buffer.alloc(0);
  #frame:
    { kind: string; compressed: boolean; mask?: Buffer; length: number; seen: number; kept: Buffer[] } | undefined;
  readonly #keepBytes: number;
  readonly #onFrame: (frame: SeenFrame) => void;
  /** Set when the bytes stopped looking like WebSocket frames; nothing more is reported. */
  broken = false;

  constructor(keepBytes: number, onFrame: (frame: SeenFrame) => void) {
    this.#keepBytes = keepBytes;
    this.#onFrame = onFrame;
  }

  push(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0 && !this.broken) {
      rest = this.#frame ? this.#payload(rest) : this.#header(rest);
    }
  }

  /** Reads header bytes; returns what follows the header, or nothing while it is incomplete. */
  #header(chunk: Buffer): Buffer {
    const head = Buffer.concat([this.#head, chunk.subarray(0, 14)]);
    const need = headerLength(head);
    if (need === undefined || head.length < need) {
      this.#head = head;
      return chunk.subarray(14);
    }
    const b0 = head[0]!;
    const b1 = head[1]!;
    // RSV2 and RSV3 belong to extensions no browser speaks: this is not a WebSocket we can read.
    if ((b0 & 0x30) !== 0) {
      this.broken = true;
      return Buffer.alloc(0);
    }
    let length = b1 & 0x7f;
    if (length === 126) length = head.readUInt16BE(2);
    else if (length === 127) length = Number(head.readBigUInt64BE(2));
    const masked = (b1 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    this.#frame = {
      kind: kinds[opcode] ?? `opcode ${opcode}`,
      compressed: (b0 & 0x40) !== 0,
      length,
      seen: 0,
      kept: [],
      ...(masked ? { mask: Buffer.from(head.subarray(need - 4, need)) } : {}),
    };
    const consumed = need - this.#head.length;
    this.#head = Buffer.alloc(0);
    const rest = chunk.subarray(consumed);
    if (length === 0) this.#finish();
    return rest;
  }

  #payload(chunk: Buffer): Buffer {
    const frame = this.#frame!;
    const take = Math.min(chunk.length, frame.length - frame.seen);
    const keptSoFar = Math.min(frame.seen, this.#keepBytes);
    const keep = Math.max(0, Math.min(take, this.#keepBytes - keptSoFar));
    if (keep > 0) frame.kept.push(Buffer.from(chunk.subarray(0, keep)));
    frame.seen += take;
    if (frame.seen === frame.length) this.#finish();
    return chunk.subarray(take);
  }

  #finish(): void {
    const frame = this.#frame!;
    this.#frame = undefined;
    const data = Buffer.concat(frame.kept);
    if (frame.mask) for (let i = 0; i < data.length; i++) data[i]! ^= frame.mask[i % 4]!;
    this.#onFrame({ kind: frame.kind, compressed: frame.compressed, data, length: frame.length });
  }
}

/** Bytes of the frame header that starts `head`, or undefined before its second byte. */
function headerLength(head: Buffer): number | undefined {
  if (head.length < 2) return undefined;
  const len = head[1]! & 0x7f;
  const masked = (head[1]! & 0x80) !== 0;
  return 2 + (len === 126 ? 2 : len === 127 ? 8 : 0) + (masked ? 4 : 0);
}
