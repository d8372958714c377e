/**
 * What a MuxStream needs from its session: the session implements it, applications never use it.
 * Kept apart so the stream does not depend on the session class.
 */
import type { MuxStream } from './stream.ts';

export interface StreamHost {
  /** Initial window of each direction, in bytes. */
  readonly windowSize: number;
  /** Largest receive window a stream grows to, in bytes. */
  readonly maxWindowSize: number;
  /** Up to `wanted` bytes of window growth from the session's budget; what it grants (maybe 0). */
  borrowWindow(wanted: number): number;
  /** Gives growth back to the session's budget (a stream that ends). */
  returnWindow(bytes: number): void;
  /** Largest DATA payload this side sends, in bytes. */
  readonly maxFrameSize: number;
  /** True once the session is over: nothing more can be sent. */
  readonly closed: boolean;
  /** True while the socket holds more than its high-water mark. */
  readonly writeBlocked: boolean;
  sendData(streamId: number, flags: number, payload: Buffer): void;
  sendRst(streamId: number, code: number): void;
  sendWndInc(streamId: number, increment: number): void;
  /** Calls `fn` once when the socket drains; never if the session closes first. */
  onDrain(fn: () => void): void;
  /** Forgets the stream: both directions finished, or it was destroyed. */
  release(stream: MuxStream): void;
}
