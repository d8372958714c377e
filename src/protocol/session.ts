/**
 * A muxado session (docs/protocol.md §2): many MuxStreams over one socket. It routes incoming
 * frames to streams, opens typed streams, and ends on GOAWAY, EOF, a socket error or a protocol
 * violation, reported exactly once through 'close'. It never emits 'error'.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import {
  Flag,
  FrameReader,
  FrameType,
  MAX_STREAM_ID,
  MuxErrorCode,
  decodeGoAway,
  encodeData,
  encodeGoAway,
  encodeHeader,
  encodeRst,
  encodeWndInc,
} from './frame.ts';
import type { Frame } from './frame.ts';
import { resolveSessionOptions } from './session-options.ts';
import type { MuxCloseInfo, MuxSessionEvents, MuxSessionOptions, ResolvedSessionOptions } from './session-options.ts';
import { MuxStream } from './stream.ts';
import type { StreamHost } from './stream-host.ts';
import { transferred } from './transfer-buffers.ts';

export type { MuxCloseInfo, MuxSessionEvents, MuxSessionOptions } from './session-options.ts';

/** Payloads up to this many bytes are copied next to their header and written at once. */
const SMALL_PAYLOAD = 512;
/** Milliseconds to wait for the peer to close after ending the socket, before destroying it. */
const LINGER_MS = 2000;

export class MuxSession extends EventEmitter<MuxSessionEvents> {
  private readonly socket: Duplex;
  private readonly reader = new FrameReader();
  private readonly streams = new Map<number, MuxStream>();
  private readonly host: StreamHost;
  /** Remainder of id / 2 for streams this side opens: 1 for the client, 0 for the server. */
  private readonly localParity: number;
  private maxIncoming: number;
  private readonly maxOutgoing: number;
  private lastLocalId: number;
  private highestRemoteId = 0;
  private incoming = 0;
  private outgoing = 0;
  private closed = false;
  private drainWaiters: (() => void)[] = [];
  /** Window growth streams may still borrow (session-options.ts windowGrowthBudget). */
  private windowBudget: number;
  /** The stream receiving the DATA frame in progress; null drops the frame's remaining pieces. */
  private dataTarget: MuxStream | null = null;

  constructor(socket: Duplex, options: MuxSessionOptions) {
    super();
    const resolved = resolveSessionOptions(options);
    this.maxIncoming = resolved.maxIncomingStreams;
    this.maxOutgoing = resolved.maxOutgoingStreams;
    // The client's counter starts at 1 and adds 2 before use, so its first stream is 3.
    this.localParity = resolved.role === 'client' ? 1 : 0;
    this.lastLocalId = this.localParity;
    this.socket = socket;
    this.host = this.createHost(resolved);
    this.windowBudget = resolved.windowGrowthBudget;
    (socket as Duplex & { setNoDelay?: (noDelay?: boolean) => unknown }).setNoDelay?.(true);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
    if (socket.destroyed) this.onClose();
  }

  /** Streams open now, in both directions. */
  get activeStreams(): number {
    return this.streams.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Changes how many peer-opened streams may be open at once (the edge allows an agent two
   * until it authenticates). Streams already open stay; SYNs past the limit get RST.
   */
  setMaxIncomingStreams(limit: number): void {
    this.maxIncoming = limit;
  }

  /**
   * Opens a stream of `type` (0..0xFFFFFFFF, see StreamType) and writes the type as its first
   * 4 bytes. Throws ERR_MUX_SESSION_CLOSED or ERR_MUX_STREAMS_EXHAUSTED.
   */
  openStream(type: number): MuxStream {
    if (!Number.isInteger(type) || type < 0 || type > 0xffffffff) throw new RangeError(`invalid stream type ${type}`);
    if (this.closed) throw new PorticoError(ErrorCode.ERR_MUX_SESSION_CLOSED);
    if (this.outgoing >= this.maxOutgoing) {
      throw new PorticoError(
        ErrorCode.ERR_MUX_STREAMS_EXHAUSTED,
        `${this.outgoing} streams open, the limit is ${this.maxOutgoing}`,
      );
    }
    const id = this.lastLocalId + 2;
    if (id > MAX_STREAM_ID) throw new PorticoError(ErrorCode.ERR_MUX_STREAMS_EXHAUSTED, 'stream ids ran out');
    this.lastLocalId = id;
    const stream = new MuxStream(this.host, id, type, true);
    this.streams.set(id, stream);
    this.outgoing++;
    const prefix = Buffer.allocUnsafe(4);
    prefix.writeUInt32BE(type, 0);
    stream.write(prefix);
    return stream;
  }

  /**
   * Ends the session: sends GOAWAY with `code` (default NONE) and `message`, destroys every
   * stream, and ends the socket once what was written has flushed.
   */
  goAway(code: number = MuxErrorCode.NONE, message = ''): void {
    this.finish({ remote: false, code, message }, 'end', true);
  }

  /** Ends the session gracefully: goAway(NONE). */
  close(): void {
    this.goAway(MuxErrorCode.NONE);
  }

  /** Ends the session at once, without GOAWAY: streams fail with ERR_MUX_SESSION_CLOSED, the socket is destroyed. */
  destroy(err?: Error): void {
    const info: MuxCloseInfo = {
      remote: false,
      code: err ? MuxErrorCode.INTERNAL : MuxErrorCode.NONE,
      message: err?.message ?? 'the session was destroyed',
    };
    if (err instanceof PorticoError) info.error = err;
    this.finish(info, 'destroy', false);
  }

  private createHost(options: ResolvedSessionOptions): StreamHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below have their own `this`.
    const session = this;
    return {
      windowSize: options.windowSize,
      maxWindowSize: options.maxWindowSize,
      maxFrameSize: options.maxFrameSize,
      borrowWindow: (wanted) => {
        const granted = Math.max(0, Math.min(wanted, this.windowBudget));
        this.windowBudget -= granted;
        return granted;
      },
      returnWindow: (bytes) => void (this.windowBudget += bytes),
      get closed() {
        return session.closed;
      },
      get writeBlocked() {
        return session.socket.writableNeedDrain;
      },
      sendData: (id, flags, payload) => this.writeData(id, flags, payload),
      sendRst: (id, code) => this.write(encodeRst(id, code)),
      sendWndInc: (id, increment) => this.write(encodeWndInc(id, increment)),
      onDrain: (fn) => void this.drainWaiters.push(fn),
      release: (stream) => this.release(stream),
    };
  }

  private writeData(id: number, flags: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    this.coalesce();
    transferred(payload.length);
    if (payload.length <= SMALL_PAYLOAD) {
      this.socket.write(encodeData(id, flags, payload));
      return;
    }
    // Header and payload leave in the same writev, without copying the payload.
    this.socket.write(encodeHeader(FrameType.DATA, flags, id, payload.length));
    this.socket.write(payload);
  }

  private write(frame: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    this.coalesce();
    this.socket.write(frame);
  }

  /**
   * Frames written in one turn of the event loop, for any number of streams, leave in one
   * writev (one syscall, and on TLS fewer records): the socket is corked at the first write and
   * uncorked once the I/O callbacks of this turn have run (setImmediate), so a lone frame waits
   * for no timer.
   */
  private coalesce(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    setImmediate(this.uncork);
  }

  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private readonly onData = (chunk: Buffer): void => {
    if (this.closed) return;
    transferred(chunk.length);
    this.reader.push(chunk);
    while (!this.closed) {
      let frame: Frame | null;
      try {
        frame = this.reader.next();
      } catch (err) {
        this.violation(err);
        return;
      }
      if (frame === null) return;
      this.dispatch(frame);
    }
  };

  private dispatch(frame: Frame): void {
    switch (frame.type) {
      case FrameType.DATA:
        return this.onDataFrame(frame);
      case FrameType.WNDINC:
        return this.streams.get(frame.streamId)?.receiveWndInc(frame.payload.readUInt32BE(0));
      case FrameType.RST:
        return this.streams.get(frame.streamId)?.receiveRst(frame.payload.readUInt32BE(0));
      case FrameType.GOAWAY: {
        const away = decodeGoAway(frame.payload);
        return this.finish({ remote: true, code: away.code, message: away.message }, 'end', false);
      }
    }
  }

  private onDataFrame(frame: Frame): void {
    if (frame.first) {
      this.dataTarget = this.dataTargetFor(frame);
      if (this.closed) return;
    }
    const stream = this.dataTarget;
    if (stream === null) return;
    if (stream.destroyed) {
      this.dataTarget = null;
      return;
    }
    if ((frame.payload.length > 0 || frame.last) && stream.receive(frame.payload, frame.last)) this.accept(stream);
    if (!frame.last) return;
    this.dataTarget = null;
    if ((frame.flags & Flag.FIN) === 0 || stream.destroyed) return;
    // A stream that ends before its type arrived is of no use to anyone.
    if (stream.awaitingType) stream.destroy();
    else stream.receiveFin();
  }

  // Finds (or, on SYN, creates) the stream for a DATA frame and charges its window; null means
  // drop the frame.
  private dataTargetFor(frame: Frame): MuxStream | null {
    const id = frame.streamId;
    let stream = this.streams.get(id);
    if ((frame.flags & Flag.SYN) !== 0) {
      if (stream !== undefined)
        return this.violation(
          new PorticoError(ErrorCode.ERR_MUX_PROTOCOL, `SYN on stream ${id}, which is already open`),
        );
      if (id % 2 === this.localParity) {
        return this.violation(
          new PorticoError(ErrorCode.ERR_MUX_PROTOCOL, `the peer opened stream ${id}, an id of this side's parity`),
        );
      }
      this.highestRemoteId = Math.max(this.highestRemoteId, id);
      if (this.incoming >= this.maxIncoming) {
        this.write(encodeRst(id, MuxErrorCode.STREAM_REFUSED));
        this.emit('refused', id);
        return null;
      }
      stream = new MuxStream(this.host, id, -1, false);
      this.streams.set(id, stream);
      this.incoming++;
    } else if (stream === undefined) {
      // Frames still in flight for a stream that ended here are dropped. DATA on an id never
      // used gets RST STREAM_CLOSED, as both SDKs answer; an empty FIN needs no answer.
      if (frame.length > 0 && !this.wasUsed(id)) this.write(encodeRst(id, MuxErrorCode.STREAM_CLOSED));
      return null;
    } else if (stream.remoteFinished) {
      if (frame.length > 0)
        stream.abort(
          MuxErrorCode.STREAM_CLOSED,
          new PorticoError(ErrorCode.ERR_MUX_PROTOCOL, `DATA after FIN on stream ${id}`),
        );
      return null;
    }
    if (!stream.reserveWindow(frame.length)) {
      const detail = `stream ${id}: a DATA frame of ${frame.length} bytes overran the receive window`;
      stream.abort(MuxErrorCode.FLOW_CONTROL, new PorticoError(ErrorCode.ERR_MUX_FLOW_CONTROL, detail));
      return null;
    }
    return stream;
  }

  private wasUsed(id: number): boolean {
    return id % 2 === this.localParity ? id <= this.lastLocalId : id <= this.highestRemoteId;
  }

  private accept(stream: MuxStream): void {
    // Nobody would read it: refuse it rather than let it hold a window for ever.
    if (this.listenerCount('stream') === 0) return stream.reset(MuxErrorCode.STREAM_REFUSED);
    this.emit('stream', stream);
  }

  private release(stream: MuxStream): void {
    if (this.streams.get(stream.id) !== stream) return;
    this.streams.delete(stream.id);
    if (stream.id % 2 === this.localParity) this.outgoing--;
    else this.incoming--;
  }

  // The peer broke the framing rules: tell it why with GOAWAY, then end the session.
  private violation(cause: unknown): null {
    const error =
      cause instanceof PorticoError ? cause : new PorticoError(ErrorCode.ERR_MUX_PROTOCOL, String(cause), { cause });
    const code = error.code === ErrorCode.ERR_MUX_FRAME_SIZE ? MuxErrorCode.FRAME_SIZE : MuxErrorCode.PROTOCOL;
    this.finish({ remote: false, code, message: error.message, error }, 'end', true);
    return null;
  }

  private finish(info: MuxCloseInfo, socketEnd: 'end' | 'destroy', sendGoAway: boolean): void {
    if (this.closed) return;
    if (sendGoAway) this.write(encodeGoAway(this.highestRemoteId, info.code, info.message));
    this.closed = true;
    this.dataTarget = null;
    this.drainWaiters = [];
    const err = new PorticoError(ErrorCode.ERR_MUX_SESSION_CLOSED, info.message || undefined);
    for (const stream of [...this.streams.values()]) stream.destroy(err);
    this.streams.clear();
    this.incoming = 0;
    this.outgoing = 0;
    if (socketEnd === 'end') this.endSocket();
    else this.socket.destroy();
    process.nextTick(() => this.emit('close', info));
  }

  private endSocket(): void {
    if (this.socket.destroyed) return;
    this.socket.end();
    // A peer that never closes its side (a Rust agent whose writer died) must not pin the socket.
    const timer = setTimeout(() => this.socket.destroy(), LINGER_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  private readonly onEnd = (): void => {
    const info: MuxCloseInfo = { remote: true, code: MuxErrorCode.PEER_EOF, message: 'the peer closed the connection' };
    if (this.reader.midFrame)
      info.error = new PorticoError(ErrorCode.ERR_MUX_PROTOCOL, 'the connection ended inside a frame');
    this.finish(info, 'end', false);
  };

  private readonly onError = (err: Error): void => {
    this.finish(
      { remote: true, code: MuxErrorCode.PEER_EOF, message: `connection error: ${err.message}` },
      'destroy',
      false,
    );
  };

  private readonly onClose = (): void => {
    this.finish({ remote: true, code: MuxErrorCode.PEER_EOF, message: 'the connection closed' }, 'destroy', false);
  };

  private readonly onDrain = (): void => {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const fn of waiters) fn();
  };
}
