import { defer } from './defer.ts';
import http from 'node:http';
import net from 'node:net';
import type { TestContext } from 'node:test';
import { WebSocketServer } from 'ws';

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

/** `n` distinct loopback ports that were free a moment ago (checked by listening, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const port = lowPortBase + Math.floor(Math.random() * lowPortSpan);
    if (!ports.includes(port) && (await canListen(port))) ports.push(port);
  }
  return ports;
}

/**
 * Ports handed to programs that listen later are drawn below Linux's ephemeral range
 * (32768–60999), where nothing that listens on port 0 or connects out is given a port: a port
 * from that range could be handed to another edge between our check and the program's listen.
 */
const lowPortBase = 20000;
const lowPortSpan = 12000;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
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

/** An HTTP service on 127.0.0.1 whose WebSocket endpoint (any path) echoes every message; plain requests get a short text. */
export async function startWebSocketEcho(t: TestContext): Promise<{ server: http.Server; port: number; url: string }> {
  const service = await startHttpService(t, (_req, res) => res.end('not a websocket'));
  const wss = new WebSocketServer({ server: service.server });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  // Upgraded sockets are the WebSocket server's, not the HTTP server's: end them, or its close waits.
  defer(t, () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  });
  return service;
}

/** A TCP service on 127.0.0.1 that records what it reads and answers "echo" once the client has ended. */
export async function recordingTcpService(t: TestContext): Promise<{ port: number; seen: string[] }> {
  const seen: string[] = [];
  const service = net.createServer((socket) => {
    socket.on('data', (d: Buffer) => seen.push(d.toString()));
    socket.on('error', () => {});
    socket.on('end', () => socket.end('echo'));
  });
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise((r) => service.close(r)));
  return { port: (service.address() as net.AddressInfo).port, seen };
}
