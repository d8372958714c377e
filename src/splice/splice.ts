import type { Duplex } from 'node:stream';

/**
 * Pipes two connections into each other with backpressure. An end (FIN) on one side ends the
 * other's write side, so half-closes pass through; an error or an abrupt close on either side
 * tears both down. Used by the edge (public connection ↔ tunnel stream) and the agent (tunnel
 * stream ↔ local service) alike.
 */
export function splice(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const abortOther = (self: Duplex, other: Duplex) => () => {
    // A normal close comes after both directions finished; anything else loses bytes, so abort.
    if (!self.readableEnded || !self.writableFinished) other.destroy();
  };
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.once('close', abortOther(a, b));
  b.once('close', abortOther(b, a));
}
