/**
 * TCP bulk transfers against the sink/source service (bench/services-child.ts), direct or
 * through a tcp endpoint. Each returns MiB/s measured from connect to the last byte (download)
 * or to the service's acknowledgement of every byte (upload).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import { MiB } from './settings.ts';

/** Reads `bytes` from the service; resolves with MiB/s. */
export function download(port: number, bytes: number, timeoutMs: number): Promise<number> {
  return transfer(port, timeoutMs, (socket, done) => {
    const head = Buffer.alloc(9);
    head.write('D', 0, 'latin1');
    head.writeBigUInt64BE(BigInt(bytes), 1);
    let received = 0;
    socket.on('data', (c: Buffer) => (received += c.length));
    socket.on('end', () => done(received === bytes ? bytes : new Error(`download: got ${received} of ${bytes} bytes`)));
    socket.end(head);
  });
}

/** Sends `bytes` to the service and waits for its count; resolves with MiB/s. */
export function upload(port: number, bytes: number, timeoutMs: number): Promise<number> {
  return transfer(port, timeoutMs, (socket, done) => {
    let reply = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => (reply = Buffer.concat([reply, c])));
    socket.on('end', () => {
      const counted = reply.length === 8 ? Number(reply.readBigUInt64BE(0)) : -1;
      done(counted === bytes ? bytes : new Error(`upload: the service counted ${counted} of ${bytes} bytes`));
    });
    socket.write('U');
    sendBytes(socket, bytes, 0x62);
  });
}

type Done = (result: number | Error) => void;

function transfer(port: number, timeoutMs: number, run: (socket: net.Socket, done: Done) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true, noDelay: true });
    const timer = setTimeout(() => finish(new Error(`transfer timed out after ${timeoutMs} ms`)), timeoutMs);
    const finish: Done = (result) => {
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) return reject(result);
      resolve(result / MiB / ((performance.now() - started) / 1000));
    };
    socket.once('error', (err) => finish(err));
    socket.once('connect', () => run(socket, finish));
  });
}

/** Writes `bytes` bytes of `fill` with backpressure, 64 KiB at a time, then ends the stream (a socket, an HTTP request or response). */
export function sendBytes(socket: Writable, bytes: number, fill: number): void {
  const chunk = Buffer.alloc(64 * 1024, fill);
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!socket.write(piece)) return void socket.once('drain', pump);
    }
    socket.end();
  };
  pump();
}
