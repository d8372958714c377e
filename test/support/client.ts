import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';

/** Resolves every name to 127.0.0.1 so `*.localhost` URLs reach the edge under test. */
export const loopbackLookup: LookupFunction = (_host, options, cb) => {
  if ((options as { all?: boolean }).all)
    (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
      { address: '127.0.0.1', family: 4 },
    ]);
  else cb(null, '127.0.0.1', 4);
};

export interface FetchResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Makes one request to a public URL through the edge, trusting `ca`. The body may be a
 * Buffer or a stream (streamed with backpressure).
 */
export function request(
  url: string,
  options: {
    ca?: string;
    method?: string;
    headers?: http.OutgoingHttpHeaders;
    body?: Buffer | string | Readable;
    agent?: http.Agent;
  } = {},
): Promise<FetchResult> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.ca,
        lookup: loopbackLookup,
        agent: options.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

/** Streams a response body into a SHA-256 digest without keeping it. */
export function requestDigest(
  url: string,
  options: { ca?: string; method?: string; body?: Readable } = {},
): Promise<{ status: number; bytes: number; sha256: string }> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(u, { method: options.method ?? 'GET', ca: options.ca, lookup: loopbackLookup }, (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, sha256: hash.digest('hex') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.body) options.body.pipe(req);
    else req.end();
  });
}
