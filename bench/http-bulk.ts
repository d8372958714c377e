/**
 * HTTP bulk transfers against the service's `/bulk` routes (bench/services-child.ts), direct
 * or through an https endpoint. Each returns MiB/s from the request's start to the last byte
 * of the response (download), or to the service's count of every byte it read (upload).
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { HttpTarget } from './load.ts';
import { MiB } from './settings.ts';
import { sendBytes } from './tcp-bulk.ts';

/** GET /bulk/<bytes>; resolves with MiB/s. */
export function httpDownload(target: HttpTarget, bytes: number, timeoutMs: number): Promise<number> {
  return exchange(
    target,
    'GET',
    `/bulk/${bytes}`,
    timeoutMs,
    (req) => req.end(),
    (body) => body.received === bytes,
    bytes,
  );
}

/** POST /bulk with `bytes` bytes; resolves with MiB/s once the service says it read them all. */
export function httpUpload(target: HttpTarget, bytes: number, timeoutMs: number): Promise<number> {
  return exchange(
    target,
    'POST',
    '/bulk',
    timeoutMs,
    (req) => sendBytes(req, bytes, 0x64),
    (body) => body.text === String(bytes),
    bytes,
  );
}

interface Body {
  received: number;
  /** The first bytes of the body, as text (the upload's count). */
  text: string;
}

function exchange(
  target: HttpTarget,
  method: string,
  path: string,
  timeoutMs: number,
  send: (req: http.ClientRequest) => void,
  ok: (body: Body) => boolean,
  bytes: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const options: https.RequestOptions = {
      host: '127.0.0.1',
      port: target.port,
      method,
      path,
      headers: { host: target.hostHeader, ...(method === 'POST' ? { 'content-length': bytes } : {}) },
      agent: false,
      ...(target.tls ? { servername: target.tls.servername, ca: target.tls.ca } : {}),
    };
    const timer = setTimeout(
      () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onResponse = (res: http.IncomingMessage) => {
      const body: Body = { received: 0, text: '' };
      res.on('data', (chunk: Buffer) => {
        if (body.text.length < 32) body.text += chunk.toString('latin1', 0, 32);
        body.received += chunk.length;
      });
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        if (res.statusCode !== 200 || !ok(body))
          return reject(new Error(`${method} ${path}: status ${res.statusCode}, ${body.received} bytes: ${body.text}`));
        resolve(bytes / MiB / ((performance.now() - started) / 1000));
      });
    };
    const req = target.tls ? https.request(options, onResponse) : http.request(options, onResponse);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    send(req);
  });
}
