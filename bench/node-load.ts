/**
 * The built-in load generator, for machines without wrk: `connections` keep-alive connections,
 * each sending one GET at a time for `seconds`, over TLS (verifying the edge CA, with SNI set to
 * the tunnel's name) or plain TCP. It parses only what it needs: status, content-length or the
 * chunked terminator.
 */
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { HttpTarget, LoadResult } from './load.ts';

interface Stats {
  latencies: number[];
  errors: number;
  non2xx: number;
}

export async function nodeLoad(target: HttpTarget, connections: number, seconds: number): Promise<LoadResult> {
  const request = Buffer.from(`GET / HTTP/1.1\r\nHost: ${target.hostHeader}\r\n\r\n`);
  const stats: Stats = { latencies: [], errors: 0, non2xx: 0 };
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, () => drive(target, request, deadline, stats)));
  const sorted = Float64Array.from(stats.latencies).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const requests = sorted.length;
  return {
    tool: 'node',
    requests,
    seconds,
    rps: requests / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors: stats.errors,
    non2xx: stats.non2xx,
  };
}

/** Keeps one connection slot busy until the deadline, reconnecting when a connection ends. */
async function drive(target: HttpTarget, request: Buffer, deadline: number, stats: Stats): Promise<void> {
  while (performance.now() < deadline) {
    try {
      await connection(target, request, deadline, stats);
    } catch {
      stats.errors++;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

function connection(target: HttpTarget, request: Buffer, deadline: number, stats: Stats): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = target.tls
      ? tls.connect({ host: '127.0.0.1', port: target.port, servername: target.tls.servername, ca: target.tls.ca })
      : net.connect(target.port, '127.0.0.1');
    socket.setNoDelay(true);
    const timer = setTimeout(() => socket.destroy(), Math.max(0, deadline - performance.now()));
    let pending: Buffer = Buffer.alloc(0);
    let sentAt = 0;
    const send = () => {
      sentAt = performance.now();
      socket.write(request);
    };
    socket.once(target.tls ? 'secureConnect' : 'connect', send);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const size = responseSize(pending);
      if (size === 0) return;
      stats.latencies.push(performance.now() - sentAt);
      const status = Number(pending.toString('latin1', 9, 12));
      if (status < 200 || status > 299) stats.non2xx++;
      pending = pending.subarray(size);
      if (performance.now() < deadline) send();
      else socket.destroy();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Bytes of the first complete response in `buf`, or 0 when it is not complete yet. */
export function responseSize(buf: Buffer): number {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return 0;
  const head = buf.toString('latin1', 0, headEnd);
  const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
  if (length) {
    const total = headEnd + 4 + Number(length[1]);
    return buf.length >= total ? total : 0;
  }
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) {
    const end = buf.indexOf('\r\n0\r\n\r\n', headEnd + 2);
    return end < 0 ? 0 : end + 7;
  }
  return headEnd + 4;
}
