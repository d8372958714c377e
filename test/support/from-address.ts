/**
 * Clients with a chosen loopback source address: 127.0.0.1 and 127.0.0.2 are two different
 * clients to the edge, which is what IP restrictions are tested with.
 */
import https from 'node:https';
import net from 'node:net';
import type { TestEdge } from './edge.ts';

/** A GET to `host` on the edge's HTTPS port from `localAddress`: status, ngrok's error code and body. */
export function getFrom(
  edge: TestEdge,
  host: string,
  localAddress: string,
): Promise<{ status: number; code: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port: edge.ports.https, servername: host, headers: { host }, path: '/' };
    const req = https.get({ ...options, ca: edge.caPem, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          code: res.headers['ngrok-error-code'] as string | undefined,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
  });
}

/** Connects to a TCP port from `localAddress`, sends `text`, and resolves with what came back before the close. */
export function tcpFrom(port: number, localAddress: string, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.end(text);
  });
}
