import { defer } from './defer.ts';
import http from 'node:http';
import net from 'node:net';
import type { TestContext } from 'node:test';

/** Starts a local HTTP service on 127.0.0.1 (`port`, default any free one), closed after the test. */
export async function startHttpService(
  t: TestContext,
  handler: http.RequestListener,
  port = 0,
): Promise<{ server: http.Server; port: number; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  defer(
    t,
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const bound = (server.address() as net.AddressInfo).port;
  return { server, port: bound, url: `http://127.0.0.1:${bound}` };
}

/** Starts a TCP echo service on 127.0.0.1 (`port`, default any free one; half-close aware), closed after the test. */
export async function startEchoService(t: TestContext, port = 0): Promise<{ port: number }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  defer(
    t,
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(50);
  }
}

/** `n` loopback ports that were free a moment ago: bound on port 0 together, then released. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve) => {
          const s = net.createServer().listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** A loopback port that was free a moment ago (nothing listens there now). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** Sends `text` to 127.0.0.1:`port`, half-closes, and resolves with everything that came back. */
export async function echoOnce(port: number, text: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => {});
  socket.end(text);
  await new Promise((r) => socket.once('close', r));
  return Buffer.concat(chunks).toString();
}
