import type { Duplex } from 'node:stream';

/**
 * Pipes two connections into each other with backpressure, passing a half-close (FIN) in each
 * direction, and destroys both once either fails or both directions are done.
 */
export function splice(a: Duplex, b: Duplex): void {
  let ended = 0;
  const finish = () => {
    if (++ended === 2) {
      a.destroy();
      b.destroy();
    }
  };
  const fail = () => {
    a.destroy();
    b.destroy();
  };
  a.pipe(b).on('finish', finish);
  b.pipe(a).on('finish', finish);
  a.on('error', fail).on('close', fail);
  b.on('error', fail).on('close', fail);
}
