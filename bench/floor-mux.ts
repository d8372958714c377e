/**
 * The floor's multiplexer: many TCP connections over one session connection, with nothing but
 * the bytes moved. It is what Portico's traffic path would cost in Node with everything
 * Portico adds taken out (muxado's windows, HTTP parsing and routing, modules, logs, traffic
 * observation), so the bench can show how close to that floor the tunnel runs (bench/README.md).
 *
 * A frame is a 9-byte header, type (1 byte), stream id (4), payload length (4), then the
 * payload. OPEN carries one byte naming the target (FloorTarget), END half-closes, CLOSE ends
 * the stream. Backpressure is per session, not per stream: a full session socket pauses every
 * connection, a full connection pauses the session.
 */
import type { Duplex } from 'node:stream';

export const enum FloorTarget {
  Http = 0,
  Tcp = 1,
}

const enum Type {
  Open = 1,
  Data = 2,
  End = 3,
  Close = 4,
}

const headerBytes = 9;

export class FloorSession {
  private readonly streams = new Map<number, Duplex>();
  private nextId = 1;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The frame whose payload is arriving: its type, stream, and bytes still to come. */
  private frame: { type: Type; id: number; left: number } | null = null;
  /** Connections whose writes are waiting for 'drain'; while any is, the session is paused. */
  private readonly blocked = new Set<Duplex>();

  /** `open` connects an exit's stream to its target; the entry side passes none. */
  constructor(
    private readonly session: Duplex,
    private readonly open?: (target: FloorTarget) => Duplex,
  ) {
    session.on('data', (chunk: Buffer) => this.receive(chunk));
    session.on('drain', () => this.streams.forEach((s) => s.resume()));
    session.on('close', () => this.streams.forEach((s) => s.destroy()));
    session.on('error', () => session.destroy());
  }

  /** Entry side: carries `conn` to the exit's `target`. */
  carry(conn: Duplex, target: FloorTarget): void {
    const id = this.nextId;
    this.nextId += 2;
    this.send(Type.Open, id, Buffer.of(target));
    this.attach(id, conn);
  }

  private attach(id: number, conn: Duplex): void {
    this.streams.set(id, conn);
    conn.on('data', (chunk: Buffer) => {
      if (!this.send(Type.Data, id, chunk)) conn.pause();
    });
    conn.on('end', () => this.send(Type.End, id));
    conn.on('close', () => {
      this.unblock(conn);
      if (this.streams.delete(id)) this.send(Type.Close, id);
    });
    conn.on('error', () => conn.destroy());
    conn.on('drain', () => this.unblock(conn));
  }

  private send(type: Type, id: number, payload?: Buffer): boolean {
    const header = Buffer.allocUnsafe(headerBytes);
    header.writeUInt8(type, 0);
    header.writeUInt32BE(id, 1);
    header.writeUInt32BE(payload?.length ?? 0, 5);
    if (!payload) return this.session.write(header);
    // One writev, one TLS record stream: header and payload leave together.
    this.session.cork();
    this.session.write(header);
    const ok = this.session.write(payload);
    this.session.uncork();
    return ok;
  }

  private receive(chunk: Buffer): void {
    while (chunk.length > 0) {
      if (this.frame === null) {
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
        if (this.pendingBytes < headerBytes) return;
        const joined = Buffer.concat(this.pending, this.pendingBytes);
        this.pending = [];
        this.pendingBytes = 0;
        this.frame = { type: joined[0] as Type, id: joined.readUInt32BE(1), left: joined.readUInt32BE(5) };
        chunk = joined.subarray(headerBytes);
        if (this.frame.left === 0) this.deliver(Buffer.alloc(0), true);
        continue;
      }
      const n = Math.min(chunk.length, this.frame.left);
      this.frame.left -= n;
      this.deliver(chunk.subarray(0, n), this.frame.left === 0);
      chunk = chunk.subarray(n);
    }
  }

  private deliver(piece: Buffer, last: boolean): void {
    const { type, id } = this.frame!;
    if (last) this.frame = null;
    if (type === Type.Open) {
      if (this.open) this.attach(id, this.open(piece[0] as FloorTarget));
      return;
    }
    const conn = this.streams.get(id);
    if (conn === undefined) return;
    if (type === Type.Data) {
      if (conn.write(piece)) return;
      this.blocked.add(conn);
      this.session.pause();
    } else if (type === Type.End) conn.end();
    else if (type === Type.Close && this.streams.delete(id)) conn.destroy();
  }

  private unblock(conn: Duplex): void {
    if (this.blocked.delete(conn) && this.blocked.size === 0) this.session.resume();
  }
}
