import type net from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Gives a tunnel stream (or another in-process Duplex) the few socket methods Node's HTTP client
 * and http.Agent call (keep-alive, no-delay, timeouts, ref/unref), so it can stand in for a TCP
 * socket.
 */
export function asSocket(stream: Duplex): net.Socket {
  const s = stream as Duplex & Partial<net.Socket>;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  Object.assign(s, {
    setKeepAlive: () => s,
    setNoDelay: () => s,
    ref: () => s,
    unref: () => s,
    setTimeout(ms: number, cb?: () => void) {
      clear();
      if (cb) s.once('timeout', cb);
      if (ms > 0) timer = setTimeout(() => s.emit('timeout'), ms).unref();
      return s;
    },
  });
  s.once('close', clear);
  return s as net.Socket;
}
