import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A connection that can hand what it received to a socket without joining it first, once told
 * that socket reads it (a tunnel stream: MuxStream.pipedTo in src/protocol/stream.ts).
 */
interface HandsOnToSocket {
  pipedTo(socket: Socket): void;
}

function handsOnToSocket(stream: Duplex): stream is Duplex & HandsOnToSocket {
  return typeof (stream as Partial<HandsOnToSocket>).pipedTo === 'function';
}

/**
 * Pipes two connections into each other with backpressure. An end (FIN) on one side ends the
 * other's write side, so half-closes pass through; an error or an abrupt close on either side
 * tears both down. Used by the edge (public connection ↔ tunnel stream) and the agent (tunnel
 * stream ↔ local service) alike.
 */
export function splice(a: Duplex, b: Duplex): void {
  if (handsOnToSocket(a) && b instanceof Socket) a.pipedTo(b);
  if (handsOnToSocket(b) && a instanceof Socket) b.pipedTo(a);
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
