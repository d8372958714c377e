import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/** A deterministic pseudo-random byte stream of `size` bytes, generated as it is read. */
export function patternStream(size: number, seed = 1): Readable {
  let sent = 0;
  let state = seed >>> 0 || 1;
  return new Readable({
    highWaterMark: 64 * 1024,
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(64 * 1024, size - sent);
      const chunk = Buffer.allocUnsafe(n + 3);
      for (let i = 0; i < n; i += 4) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        chunk.writeUInt32LE(state >>> 0, i);
      }
      sent += n;
      this.push(chunk.subarray(0, n));
    },
  });
}

/** SHA-256 of `patternStream(size, seed)`. */
export async function patternDigest(size: number, seed = 1): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of patternStream(size, seed)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
