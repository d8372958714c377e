/**
 * Many concurrent WebSockets to the service's echo (`/ws`, bench/services-child.ts) through an
 * http endpoint on the edge's plain-HTTP port: each is opened, echoes one message, then stays
 * open until close().
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { HttpTarget } from './load.ts';

export interface OpenWebSockets {
  /** WebSockets open and echoing. */
  open: number;
  /** Failures (connect, upgrade or echo). */
  failed: number;
  /** First failure, for the log. */
  firstError: string;
  /** Milliseconds it took to open them all. */
  ms: number;
  close(): void;
}

/** Handshakes in flight at once. */
const inFlight = 200;

/** Opens `count` WebSockets, giving up on those not open within `timeoutMs`. */
export async function openWebSockets(target: HttpTarget, count: number, timeoutMs: number): Promise<OpenWebSockets> {
  const sockets: WebSocket[] = [];
  const result = { open: 0, failed: 0, firstError: '' };
  const started = performance.now();
  const deadline = started + timeoutMs;
  let next = 0;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      next++;
      const ws = new WebSocket(`ws://127.0.0.1:${target.port}/ws`, {
        headers: { host: target.hostHeader },
        perMessageDeflate: false,
        handshakeTimeout: 10_000,
      });
      sockets.push(ws);
      // Errors after the echo (a reset at close) must not go unhandled.
      ws.on('error', () => undefined);
      try {
        await echoOnce(ws);
        result.open++;
      } catch (err) {
        result.failed++;
        result.firstError ||= (err as Error).message;
        ws.terminate();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return {
    ...result,
    ms: performance.now() - started,
    close: () => {
      for (const ws of sockets) ws.terminate();
    },
  };
}

function echoOnce(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade answered ${res.statusCode} ${String(res.headers['portico-error-code'] ?? '')}`)),
    );
    ws.once('open', () => ws.send('ping'));
    ws.once('message', (data) =>
      Buffer.isBuffer(data) && data.toString() === 'ping' ? resolve() : reject(new Error('wrong echo')),
    );
    ws.once('close', () => reject(new Error('closed before the echo')));
  });
}
