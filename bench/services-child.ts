/**
 * Bench child: the local services a tunnel forwards to.
 * - HTTP: every request gets the same 67-byte body (the peers under bench/README.md's Targets
 *   were measured on 67 bytes), except two routes:
 *   - `GET /bulk/<bytes>` streams that many bytes (content-length, written with backpressure),
 *   - `POST /bulk` reads the body as it comes and answers with the number of bytes it read;
 *   and WebSockets on `/ws` echo every message.
 * - TCP sink/source: a client sends `D` + a 64-bit big-endian length and reads that many bytes
 *   (download), or sends `U`, streams bytes and half-closes, and reads back the 64-bit count
 *   the service received (upload).
 */
import http from 'node:http';
import net from 'node:net';
import { WebSocketServer } from 'ws';
import { runChild } from './child-side.ts';
import { sendBytes } from './tcp-bulk.ts';

export interface ServicesReady {
  httpPort: number;
  tcpPort: number;
}

const responseBody = Buffer.from('Hello from the Portico bench. This body is sixty-seven bytes long.\n');

runChild<ServicesReady>(async () => {
  const web = http.createServer((req, res) => {
    if (req.url?.startsWith('/bulk')) return bulkHttp(req, res);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': responseBody.length });
    res.end(responseBody);
  });
  const counts = { httpConnections: 0, httpRequests: 0, tcpConnections: 0, websockets: 0 };
  const echo = new WebSocketServer({ server: web, path: '/ws' });
  echo.on('connection', (ws) => {
    counts.websockets++;
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => ws.terminate());
  });
  web.on('connection', () => counts.httpConnections++);
  web.on('request', () => counts.httpRequests++);
  const sockets = new Set<net.Socket>();
  const bulk = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    counts.tcpConnections++;
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    serveBulk(socket);
  });
  const httpPort = await listen(web);
  const tcpPort = await listen(bulk);
  return {
    ready: { httpPort, tcpPort },
    close: async () => {
      for (const ws of echo.clients) ws.terminate();
      web.closeAllConnections();
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise((r) => web.close(r)), new Promise((r) => bulk.close(r))]);
    },
    stats: () => ({ ...counts }),
  };
});

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** `GET /bulk/<bytes>`: streams them; `POST /bulk`: counts the body's bytes and answers with the count. */
function bulkHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method === 'POST') {
    let received = 0;
    req.on('data', (chunk: Buffer) => (received += chunk.length));
    req.on('end', () => res.end(String(received)));
    return;
  }
  const bytes = Number(req.url!.slice('/bulk/'.length));
  if (!Number.isSafeInteger(bytes) || bytes < 0) return void res.writeHead(400).end();
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes });
  sendBytes(res, bytes, 0x63);
}

/** Reads the command byte (and a length for `D`), then sources or sinks. */
function serveBulk(socket: net.Socket): void {
  let head = Buffer.alloc(0);
  const onHead = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const command = String.fromCharCode(head[0] ?? 0);
    if (command === 'U') {
      socket.off('data', onHead);
      return sink(socket, head.length - 1);
    }
    if (command !== 'D') return void socket.destroy();
    if (head.length < 9) return;
    socket.off('data', onHead);
    source(socket, Number(head.readBigUInt64BE(1)));
  };
  socket.on('data', onHead);
}

function source(socket: net.Socket, bytes: number): void {
  sendBytes(socket, bytes, 0x61);
}

function sink(socket: net.Socket, already: number): void {
  let received = already;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  socket.on('end', () => {
    const reply = Buffer.alloc(8);
    reply.writeBigUInt64BE(BigInt(received));
    socket.end(reply);
  });
}
