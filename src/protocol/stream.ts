/**
 * One muxado stream (docs/protocol.md §2.6): a Duplex whose writes become DATA frames within the
 * peer's window, and whose reads come from DATA the session routed here; what the application
 * consumes goes back to the peer as WNDINC credit.
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import { BufferQueue } from './buffer-queue.ts';
import { Flag, MAX_WINDOW_INCREMENT, MuxErrorCode, muxErrorName } from './frame.ts';
import type { StreamHost } from './stream-host.ts';

/** Readable high-water mark of every stream, in bytes: received data held per stream stays within window + this. */
export const STREAM_HIGH_WATER_MARK = 64 * 1024;

/** Received bytes from which a complete frame waits for the end of the turn to leave with those after it. */
const BULK_BYTES = 16 * 1024;
/** Writes queued together whose total is at most this many bytes go out as one frame (copied). */
const COALESCE_LIMIT = 16 * 1024;
const EMPTY = Buffer.alloc(0);
const noop = (): void => {};
const uncork = (socket: Socket): void => socket.uncork();

interface PendingWrite {
  chunks: Buffer[];
  index: number;
  offset: number;
  callback: (err?: Error | null) => void;
}

function sessionClosed(): PorticoError {
  return new PorticoError(ErrorCode.ERR_MUX_SESSION_CLOSED);
}

export class MuxStream extends Duplex {
  /** Stream id: odd when the client (agent) opened it, even when the server (edge) did. */
  readonly id: number;
  private streamType: number;
  private readonly host: StreamHost;

  private sendWindow: number;
  private synSent: boolean;
  private finSent = false;
  private resetSent = false;
  private pendingWrite: PendingWrite | null = null;
  private waitingForDrain = false;

  private readonly received = new BufferQueue();
  /** Bytes the peer may still send before it needs more credit. */
  private recvWindow: number;
  /** Bytes consumed by the application and not yet returned to the peer as credit. */
  private unacked = 0;
  /** The receive window now: windowSize, grown while the window limits the stream (see grant). */
  private window: number;
  /** Bytes consumed since the window last grew. */
  private consumedAtWindow = 0;
  private readonly grantBatch: number;
  private readWanted = false;
  private flushing = false;
  private retryScheduled = false;
  private flushScheduled = false;
  private finReceived = false;
  private eofPushed = false;
  private resetReceived = false;
  private typeBytes: Buffer | null;
  private typeFilled = 0;
  private released = false;
  /** The socket that reads this stream, once splice() piped it there (see pipedTo). */
  private socket: Socket | null = null;

  /**
   * Session use only. `type` is -1 for a peer-opened stream whose 4 type bytes have not arrived;
   * `local` is true when this side opened the stream (its first frame then carries SYN).
   */
  constructor(host: StreamHost, id: number, type: number, local: boolean) {
    super({
      allowHalfOpen: true,
      readableHighWaterMark: STREAM_HIGH_WATER_MARK,
      writableHighWaterMark: STREAM_HIGH_WATER_MARK,
    });
    // An RST destroys the stream with an error, and an 'error' event nobody listens to would
    // crash the process. pipeline() and the application's own listeners still see the error.
    this.on('error', noop);
    this.host = host;
    this.id = id;
    this.streamType = type;
    this.typeBytes = type < 0 ? Buffer.alloc(4) : null;
    this.synSent = !local;
    this.sendWindow = host.windowSize;
    this.recvWindow = host.windowSize;
    this.window = host.windowSize;
    this.grantBatch = Math.max(1, Math.floor(host.windowSize / 4));
  }

  /** The stream type: the first 4 bytes of the stream, big-endian (StreamType in messages.ts). */
  get type(): number {
    return this.streamType;
  }

  /** Received bytes held in memory for this stream: its own queue plus Node's readable buffer. */
  get bufferedBytes(): number {
    return this.received.length + this.readableLength;
  }

  /**
   * Sends RST with `code` (default STREAM_CANCELLED) and destroys the stream without an error.
   * No RST goes out when the peer already reset the stream or both sides sent FIN.
   */
  reset(code: number = MuxErrorCode.STREAM_CANCELLED): void {
    if (this.destroyed) return;
    this.sendReset(code);
    this.destroy();
  }

  /**
   * splice() use: `socket` reads this stream, piped. Received pieces then go to it as they came,
   * with the socket corked while a flush hands them on, so that they leave in one writev rather
   * than joined into one chunk first (see flush).
   */
  pipedTo(socket: Socket): void {
    this.socket = socket;
  }

  /** Session use: true until the 4 type bytes of a peer-opened stream arrived. */
  get awaitingType(): boolean {
    return this.typeBytes !== null;
  }

  /** Session use: true once the peer sent FIN. */
  get remoteFinished(): boolean {
    return this.finReceived;
  }

  /** Session use: counts a DATA frame of `length` bytes against the window; false if it overruns it. */
  reserveWindow(length: number): boolean {
    if (length > this.recvWindow) return false;
    this.recvWindow -= length;
    return true;
  }

  /**
   * Session use: one piece of DATA payload; `frameDone` when it is the last piece of its frame.
   * Returns true when it completed the stream type.
   */
  receive(payload: Buffer, frameDone = true): boolean {
    let typed = false;
    if (this.typeBytes !== null) {
      // The type may arrive split over several frames; its bytes count as consumed at once.
      const n = Math.min(4 - this.typeFilled, payload.length);
      payload.copy(this.typeBytes, this.typeFilled, 0, n);
      this.typeFilled += n;
      this.unacked += n;
      payload = payload.subarray(n);
      if (this.typeFilled === 4) {
        this.streamType = this.typeBytes.readUInt32BE(0);
        this.typeBytes = null;
        typed = true;
      }
    }
    this.received.push(payload);
    if (!this.readWanted || this.received.length === 0) return typed;
    // A frame arrives in pieces, one per TLS record of the session (16 KiB), the rest of it in
    // the same read of the socket or the next. A small frame (a request, a response, a message)
    // is handed on as soon as it is complete. Anything larger waits for the end of this turn of
    // the event loop, never longer, so that the pieces and frames one read of the socket brought
    // leave together, up to the high-water mark: one write to the service or client rather than
    // one per record or frame (joined into one chunk, or one writev when piped into a socket).
    // (An HTTP upload comes as one 16 KiB frame per TLS record of the client's: handed on one by
    // one, they cost the agent 13 % and the service 42 % more CPU.)
    const small = frameDone && this.received.length < BULK_BYTES;
    if (small || this.received.length >= this.readableHighWaterMark) this.flush();
    else this.flushSoon();
    return typed;
  }

  /** Session use: the peer sent FIN. */
  receiveFin(): void {
    this.finReceived = true;
    this.flush();
    this.releaseIfDone();
  }

  /** Session use: the peer sent RST. */
  receiveRst(code: number): void {
    this.resetReceived = true;
    this.destroy(new PorticoError(ErrorCode.ERR_MUX_STREAM_RESET, `stream ${this.id}, ${muxErrorName(code)}`));
  }

  /** Session use: the peer granted `increment` more bytes. */
  receiveWndInc(increment: number): void {
    this.sendWindow = Math.min(this.sendWindow + increment, MAX_WINDOW_INCREMENT);
    this.pump();
  }

  /** Session use: the peer broke a stream rule; answer RST `code` and fail the stream with `err`. */
  abort(code: number, err: PorticoError): void {
    if (this.destroyed) return;
    this.sendReset(code);
    this.destroy(err);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.startWrite([chunk], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void {
    const buffers = chunks.map((c) => c.chunk);
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    // Small writes queued together (an HTTP head and a short body) cost less as one frame.
    this.startWrite(total <= COALESCE_LIMIT ? [Buffer.concat(buffers, total)] : buffers, callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (this.host.closed) return callback(sessionClosed());
    this.host.sendData(this.id, Flag.FIN | (this.synSent ? 0 : Flag.SYN), EMPTY);
    this.synSent = true;
    this.finSent = true;
    this.releaseIfDone();
    callback();
  }

  override _read(): void {
    this.readWanted = true;
    this.flush();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    // A stream dropped before both sides finished tells the peer, so it stops sending.
    this.sendReset(MuxErrorCode.STREAM_CANCELLED);
    this.received.clear();
    this.pendingWrite = null;
    this.release();
    callback(err);
  }

  private startWrite(chunks: Buffer[], callback: (err?: Error | null) => void): void {
    if (this.host.closed) return callback(sessionClosed());
    this.pendingWrite = { chunks, index: 0, offset: 0, callback };
    this.pump();
  }

  // Sends as much of the pending write as the window and the socket allow; runs again on WNDINC
  // and on socket drain.
  private readonly pump = (): void => {
    const w = this.pendingWrite;
    if (w === null || this.destroyed) return;
    while (w.index < w.chunks.length) {
      const chunk = w.chunks[w.index];
      if (w.offset >= chunk.length) {
        w.index++;
        w.offset = 0;
        continue;
      }
      if (this.host.closed) {
        this.pendingWrite = null;
        return w.callback(sessionClosed());
      }
      if (this.host.writeBlocked) return this.waitForDrain();
      if (this.sendWindow === 0) return;
      const n = Math.min(chunk.length - w.offset, this.sendWindow, this.host.maxFrameSize);
      const payload = n === chunk.length ? chunk : chunk.subarray(w.offset, w.offset + n);
      this.host.sendData(this.id, this.synSent ? 0 : Flag.SYN, payload);
      this.synSent = true;
      this.sendWindow -= n;
      w.offset += n;
    }
    this.pendingWrite = null;
    // Call back only once the socket is below its high-water mark, so a writer that respects
    // backpressure never piles frames up in the socket.
    if (this.host.writeBlocked) this.host.onDrain(() => w.callback());
    else w.callback();
  };

  private flushSoon(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.scheduledFlush);
  }

  private readonly scheduledFlush = (): void => {
    this.flushScheduled = false;
    if (this.readWanted) this.flush();
  };

  private readonly retryFlush = (): void => {
    this.retryScheduled = false;
    this.flush(true);
  };

  private waitForDrain(): void {
    if (this.waitingForDrain) return;
    this.waitingForDrain = true;
    this.host.onDrain(() => {
      this.waitingForDrain = false;
      this.pump();
    });
  }

  // Moves received bytes into Node's readable buffer, never past its high-water mark, then
  // returns credit for what moved.
  private flush(force = false): void {
    // push() may run 'data' handlers that read() again; the outer loop carries on for them.
    if (this.flushing || this.destroyed) return;
    this.flushing = true;
    const socket = this.socket;
    let corked = false;
    try {
      while (this.readWanted && this.received.length > 0 && !this.destroyed) {
        let room = this.readableHighWaterMark - this.readableLength;
        if (room <= 0 && !force) {
          // read() calls _read before it removes the bytes it returns, so the buffer can look
          // full here; Node waits for a push all the same. Try again once those bytes are gone.
          if (!this.retryScheduled) {
            this.retryScheduled = true;
            process.nextTick(this.retryFlush);
          }
          break;
        }
        room = Math.max(room, 1);
        force = false;
        const n = Math.min(room, this.received.length);
        let chunk: Buffer;
        if (socket !== null) {
          // Piped into a socket: each piece goes on as it came, and the socket stays corked until
          // the end of this turn (past the 'data' events Node may emit on the next tick for
          // what is pushed here), so that what one flush hands on leaves in one writev.
          if (!corked) socket.cork();
          corked = true;
          chunk = this.received.take(n);
        } else {
          // Pieces queued together leave as one chunk (copied), up to the room there is.
          chunk = this.received.read(n);
        }
        this.unacked += chunk.length;
        if (!this.push(chunk)) this.readWanted = false;
      }
    } finally {
      this.flushing = false;
      if (corked) process.nextTick(uncork, socket!);
    }
    if (this.finReceived && this.received.length === 0 && !this.eofPushed && !this.destroyed) {
      this.eofPushed = true;
      this.push(null);
    }
    this.grant();
  }

  // Credit goes back in batches of a quarter window rather than one WNDINC per read. This never
  // stalls the peer: it is stalled only when queue + unacked = window, and then reading either
  // leaves more queued bytes to read or brings unacked up to a batch.
  //
  // The window grows (doubles, up to maxWindowSize, within the session's budget) each time the
  // reader has consumed a whole window while keeping up (at most half a window unread): a bulk
  // transfer, which the window would otherwise hold to one window per round trip. Short
  // exchanges never grow it; a reader that falls behind stops its growth, and what one stream
  // can make this side hold stays within its window plus the readable high-water mark.
  // Credit still goes back every quarter of the initial window: the official SDK's muxado caps
  // its send window at the initial size, drops credit beyond it, and must never wait for more.
  private grant(): void {
    if (this.unacked < this.grantBatch || this.finReceived || this.host.closed || this.destroyed) return;
    let increment = this.unacked;
    this.consumedAtWindow += this.unacked;
    const unread = this.received.length + this.readableLength;
    if (this.consumedAtWindow >= this.window && unread <= this.window / 2 && this.window < this.host.maxWindowSize) {
      const growth = this.host.borrowWindow(Math.min(this.window, this.host.maxWindowSize - this.window));
      this.window += growth;
      this.consumedAtWindow = 0;
      increment += growth;
    }
    this.host.sendWndInc(this.id, increment);
    this.recvWindow += increment;
    this.unacked = 0;
  }

  private sendReset(code: number): void {
    if (this.resetSent || this.resetReceived || (this.finSent && this.finReceived) || this.host.closed) return;
    this.resetSent = true;
    this.host.sendRst(this.id, code);
  }

  private releaseIfDone(): void {
    if (this.finSent && this.finReceived) this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.host.returnWindow(this.window - this.host.windowSize);
    this.host.release(this);
  }
}
