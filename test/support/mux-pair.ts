/**
 * Test support for the protocol tests: real loopback sockets on port 0 with MuxSessions on them,
 * cleaned up after the test. Not used by production code.
 */
import { once } from 'node:events';
import net from 'node:net';
import type { TestContext } from 'node:test';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { MuxSession } from '../../src/protocol/session.ts';
import type { MuxCloseInfo, MuxSessionOptions } from '../../src/protocol/session.ts';
import type { MuxStream } from '../../src/protocol/stream.ts';

export interface SessionPair {
  client: MuxSession;
  server: MuxSession;
  clientSocket: net.Socket;
  serverSocket: net.Socket;
}

/**
 * A connected pair of plain TCP sockets on 127.0.0.1, destroyed after the test; `allowHalfOpen`
 * for both ends, as the edge's and the agent's connections to clients and services are.
 */
export async function socketPair(
  t: TestContext,
  options: { allowHalfOpen?: boolean } = {},
): Promise<{ client: net.Socket; server: net.Socket }> {
  const allowHalfOpen = options.allowHalfOpen ?? false;
  const listener = net.createServer({ allowHalfOpen });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as net.AddressInfo;
  const accepted = once(listener, 'connection') as Promise<[net.Socket]>;
  const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen });
  await once(client, 'connect');
  const [server] = await accepted;
  listener.close();
  t.after(() => {
    client.destroy();
    server.destroy();
  });
  return { client, server };
}

/** A client and a server MuxSession talking over loopback TCP. */
export async function sessionPair(
  t: TestContext,
  clientOptions: Partial<MuxSessionOptions> = {},
  serverOptions: Partial<MuxSessionOptions> = {},
): Promise<SessionPair> {
  const sockets = await socketPair(t);
  const client = new MuxSession(sockets.client, { ...clientOptions, role: 'client' });
  const server = new MuxSession(sockets.server, { ...serverOptions, role: 'server' });
  t.after(() => {
    client.destroy();
    server.destroy();
  });
  return { client, server, clientSocket: sockets.client, serverSocket: sockets.server };
}

/** Rejects after `ms` milliseconds unless `promise` settles first. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The next 'close' of a session. */
export function closeOf(session: MuxSession): Promise<MuxCloseInfo> {
  return new Promise((resolve) => session.once('close', resolve));
}

/** The next stream the peer opens on `session`. */
export function nextStream(session: MuxSession): Promise<MuxStream> {
  return new Promise((resolve) => session.once('stream', resolve));
}

/** Reads `stream` to its end; resolves with the bytes. (Not `for await`: that destroys a Duplex at the end.) */
export function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** Reads `stream` to its end; resolves with the SHA-256 of the bytes and their count. */
export function hashAll(stream: Readable): Promise<{ hash: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    stream.once('end', () => resolve({ hash: hash.digest('hex'), bytes }));
    stream.once('error', reject);
  });
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes `data` in chunks of varying size (1 B to `maxChunk`), honouring backpressure, then ends. */
export async function writeAll(stream: MuxStream, data: Buffer, maxChunk = 100_000, seed = 1): Promise<void> {
  let offset = 0;
  let x = seed;
  while (offset < data.length) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (x % maxChunk);
    if (!stream.write(data.subarray(offset, offset + n))) await once(stream, 'drain');
    offset += n;
  }
  stream.end();
  await once(stream, 'finish');
}

/** A raw frame: header plus payload. */
export function rawFrame(
  type: number,
  flags: number,
  streamId: number,
  payload: Buffer,
  length = payload.length,
): Buffer {
  const header = Buffer.alloc(8);
  header.writeUIntBE(length, 0, 3);
  header[3] = (type << 4) | flags;
  header.writeUInt32BE(streamId, 4);
  return Buffer.concat([header, payload]);
}

/** The 4-byte big-endian encoding of `n`. */
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}
