/**
 * A FIFO of byte chunks that hands out slices of the chunks it holds instead of copying them.
 * The frame reader keeps socket chunks in one; each stream keeps received DATA payloads in one.
 */
export class BufferQueue {
  private chunks: (Buffer | undefined)[] = [];
  /** Index of the first chunk that still holds unread bytes. */
  private head = 0;
  /** Bytes already taken from `chunks[head]`. */
  private offset = 0;
  private bytes = 0;

  /** Bytes held. */
  get length(): number {
    return this.bytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /**
   * Removes and returns up to `max` bytes (at least 1 when not empty) from the front. The result
   * is a slice of one held chunk, so it may be shorter than `max` even when more bytes are held.
   */
  take(max: number): Buffer {
    const chunk = this.chunks[this.head];
    if (chunk === undefined) return Buffer.alloc(0);
    const available = chunk.length - this.offset;
    if (max >= available) {
      const out = this.offset === 0 ? chunk : chunk.subarray(this.offset);
      this.bytes -= available;
      this.dropHead();
      return out;
    }
    const n = Math.max(1, max);
    const out = chunk.subarray(this.offset, this.offset + n);
    this.offset += n;
    this.bytes -= n;
    return out;
  }

  /** Removes and returns exactly `n` bytes (`n` <= length); copies only when they span chunks. */
  read(n: number): Buffer {
    const chunk = this.chunks[this.head];
    if (chunk !== undefined && chunk.length - this.offset >= n) return this.take(n);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const part = this.take(n - filled);
      part.copy(out, filled);
      filled += part.length;
    }
    return out;
  }

  /** Drops everything held. */
  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.offset = 0;
    this.bytes = 0;
  }

  private dropHead(): void {
    this.chunks[this.head] = undefined;
    this.head++;
    this.offset = 0;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      // Compact now and then so a long run of tiny frames does not grow the array forever.
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
