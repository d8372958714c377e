/**
 * A passive HTTP/1.1 observer of one proxied connection. It sees the chunks going each way as
 * they pass (it never changes, holds or delays them), parses them with http-parser-js and
 * reports each request with its response. A connection that stops parsing as HTTP (TLS, a TCP
 * protocol, garbage, an upgrade to WebSocket, a CONNECT tunnel) is no longer tracked; its bytes
 * flow on unchanged because the tap only ever listened.
 */
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { HTTPParser } from 'http-parser-js';

/** One request and what came back for it. */
export interface HttpExchange {
  method: string;
  /** The request target as sent (`/path?query`), cut to maxPathChars. */
  path: string;
  /** The response status; absent when the connection closed before a response head. */
  status?: number;
  /** The response reason phrase (`OK`). */
  statusText?: string;
  /** Milliseconds from the request head to the end of the response (or of the connection). */
  durationMs: number;
  /** Bytes of request body seen. */
  requestBytes: number;
  /** Bytes of response body seen. */
  responseBytes: number;
  /** Set when the connection closed before the response was complete. */
  error?: string;
}

export interface HttpTapOptions {
  onExchange(exchange: HttpExchange): void;
}

export interface HttpTap {
  /** The connection closed: requests still waiting are reported with `error`, then the tap stops. */
  close(): void;
  /** Why tracking stopped early (not HTTP, upgraded…), or undefined while tracking. */
  readonly stoppedBecause: string | undefined;
}

/** Bytes of one request or response head the tap parses; a larger head stops tracking. Node's own limit is 16 KiB. */
const maxHeadBytes = 32 * 1024;
/** Characters of the request target kept. */
const maxPathChars = 1024;
/** Pipelined requests waiting for a response before the tap gives up on the connection. */
const maxPending = 32;

interface Pending extends HttpExchange {
  startedAt: number;
}

/** Parser callbacks run in http-parser-js's 0.12 mode: one info object. */
interface HeadInfo {
  method: number;
  url: string;
  statusCode: number;
  statusMessage: string;
  upgrade: boolean;
}

type Parser = InstanceType<typeof HTTPParser>;

/** Starts observing `requests` (client → service) and `responses` (service → client). */
export function tapHttp(requests: Readable, responses: Readable, o: HttpTapOptions): HttpTap {
  const pending: Pending[] = [];
  let stoppedBecause: string | undefined;
  let interim = false;
  let switched = false;
  const reqParser = newParser(HTTPParser.REQUEST);
  const resParser = newParser(HTTPParser.RESPONSE);

  reqParser[HTTPParser.kOnHeadersComplete] = (info: HeadInfo) => {
    const method = HTTPParser.methods[info.method] ?? 'UNKNOWN';
    pending.push({
      method,
      path: info.url.slice(0, maxPathChars),
      durationMs: 0,
      requestBytes: 0,
      responseBytes: 0,
      startedAt: performance.now(),
    });
    if (pending.length > maxPending) stop('too many requests without a response');
    // After an upgrade or CONNECT request the client speaks another protocol.
    if (info.upgrade) requests.off('data', onRequest);
  };
  reqParser[HTTPParser.kOnBody] = (_chunk: Buffer, _offset: number, length: number) => {
    const current = pending[pending.length - 1];
    if (current) current.requestBytes += length;
  };

  resParser[HTTPParser.kOnHeadersComplete] = (info: HeadInfo): number => {
    const req = pending[0];
    if (!req) {
      stop('a response without a request');
      return 1;
    }
    // 100 Continue and other interim answers come before the real one.
    interim = info.statusCode < 200 && info.statusCode !== 101;
    if (interim) return 0;
    req.status = info.statusCode;
    req.statusText = info.statusMessage;
    switched = info.statusCode === 101 || (req.method === 'CONNECT' && info.statusCode < 300);
    // A response to HEAD announces a body it does not send.
    return req.method === 'HEAD' ? 1 : 0;
  };
  resParser[HTTPParser.kOnBody] = (_chunk: Buffer, _offset: number, length: number) => {
    if (pending[0]) pending[0].responseBytes += length;
  };
  resParser[HTTPParser.kOnMessageComplete] = () => {
    if (interim) return void (interim = false);
    const req = pending.shift();
    if (req) report(req);
    if (switched) stop('switched protocols');
  };

  const report = (req: Pending, error?: string) => {
    const { startedAt, ...exchange } = req;
    exchange.durationMs = performance.now() - startedAt;
    if (error) exchange.error = error;
    o.onExchange(exchange);
  };
  const feed = (parser: Parser, chunk: Buffer, side: string) => {
    if (stoppedBecause) return;
    let result: number | Error;
    try {
      result = parser.execute(chunk);
    } catch (err) {
      result = err as Error;
    }
    if (result instanceof Error && !stoppedBecause) stop(`${side} is not HTTP/1.x (${result.message})`);
  };
  // The first byte tells TLS and most binary protocols apart at once (a request starts with a
  // method's capital letter, a response with "HTTP/"), before the parser waits for a line end.
  let firstRequest = true;
  let firstResponse = true;
  const onRequest = (chunk: Buffer) => {
    if (firstRequest && chunk.length > 0) {
      firstRequest = false;
      if (!(chunk[0]! >= 0x41 && chunk[0]! <= 0x5a)) return stop('the request side is not HTTP/1.x (first byte)');
    }
    feed(reqParser, chunk, 'the request side');
  };
  const onResponse = (chunk: Buffer) => {
    if (firstResponse && chunk.length > 0) {
      firstResponse = false;
      if (chunk[0] !== 0x48) return stop('the response side is not HTTP/1.x (first byte)');
    }
    feed(resParser, chunk, 'the response side');
  };
  // A response without a length ends with the connection.
  const onResponseEnd = () => {
    if (!stoppedBecause && resParser.finish() instanceof Error) stop('the response side ended mid-message');
  };
  const stop = (why: string) => {
    stoppedBecause ??= why;
    requests.off('data', onRequest);
    responses.off('data', onResponse);
    responses.off('end', onResponseEnd);
  };

  requests.on('data', onRequest);
  responses.on('data', onResponse);
  responses.on('end', onResponseEnd);
  return {
    close() {
      if (stoppedBecause) return;
      for (const req of pending.splice(0))
        report(req, req.status === undefined ? 'closed before the response' : 'closed during the response');
      stop('closed');
    },
    get stoppedBecause() {
      return stoppedBecause;
    },
  };
}

function newParser(type: 'REQUEST' | 'RESPONSE'): Parser {
  const parser = new HTTPParser(type);
  parser.maxHeaderSize = maxHeadBytes;
  return parser;
}
