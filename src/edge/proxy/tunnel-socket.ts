import type net from 'node:net';
import type { MuxStream } from '../../protocol/stream.ts';

/**
 * Gives a tunnel stream the few socket methods Node's HTTP client and http.Agent call
 * (keep-alive, no-delay, timeouts, ref/unref), so a stream can stand in for a TCP socket.
 */
export function asSocket(stream: MuxStream): net.Socket {
  const s = stream as MuxStream & Partial<net.Socket>;
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
