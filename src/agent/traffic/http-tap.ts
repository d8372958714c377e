/**
 * A passive HTTP/1.1 observer of one proxied connection. It sees the chunks going each way as
 * they pass (it never changes, holds or delays them), parses them with Node's own parser
 * (http1/parser.ts, lenient: it only watches) and reports each request with its response. A
 * connection that stops parsing as HTTP (TLS, a TCP protocol, garbage, an upgrade to WebSocket,
 * a CONNECT tunnel) is no longer tracked; its bytes flow on unchanged because the tap only ever
 * listened. That includes a request target with control characters or raw non-ASCII bytes,
 * which llhttp refuses even when lenient (as Node's server, and so the edge in front of an HTTP
 * endpoint, refuses them).
 */
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { AnnouncedBody, announcedBodyLength, announcedResponseLength } from '../../http1/announced-body.ts';
import { HttpParser, type MessageHead } from '../../http1/parser.ts';

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
  /** The request's head and first body bytes, when the tap captures (HttpTapOptions.captureBodyBytes). */
  request?: CapturedMessage;
  /** The response's head and first body bytes, when captured and a response head came. */
  response?: CapturedMessage;
}

/** One request or response as captured: its head, and its body up to the capture limit. */
export interface CapturedMessage {
  /** `HTTP/1.1`. */
  proto: string;
  /** Header names and values as sent, in order: `[name, value, name, value, …]`. */
  headers: string[];
  /** The first bytes of the body, de-chunked: at most the capture limit. */
  body: Buffer;
  /** Bytes of body seen beyond `body` (0 when it is whole). */
  truncatedBytes: number;
}

export interface HttpTapOptions {
  onExchange(exchange: HttpExchange): void;
  /**
   * Capture heads and the first this many bytes of each body (for the inspector). Default
   * undefined: no capture, only the counts.
   */
  captureBodyBytes?: number;
  /**
   * Called when the connection switched protocols (a WebSocket upgrade), with the exchange and
   * the response-side bytes that followed the 101 head in the same chunk. Default none.
   */
  onSwitch?(exchange: HttpExchange, responseRest: Buffer): void;
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
/** The tap only watches: it takes what llhttp can read past strict HTTP/1.1. */
const parserOptions = { maxHeadBytes, lenient: true };

interface Pending extends HttpExchange {
  startedAt: number;
}

/** Starts observing `requests` (client → service) and `responses` (service → client). */
export function tapHttp(requests: Readable, responses: Readable, o: HttpTapOptions): HttpTap {
  const pending: Pending[] = [];
  let stoppedBecause: string | undefined;
  let interim = false;
  let switched = false;
  /** The exchange whose response switched protocols, once its head is parsed. */
  let switchedBy: HttpExchange | undefined;

  const reqParser = new HttpParser(
    'request',
    {
      head: (head) => {
        pending.push({
          method: head.method,
          path: head.url.slice(0, maxPathChars),
          durationMs: 0,
          requestBytes: 0,
          responseBytes: 0,
          startedAt: performance.now(),
          ...(capture ? { request: captured(head) } : {}),
        });
        if (pending.length > maxPending) stop('too many requests without a response');
        // After an upgrade or CONNECT request the client speaks another protocol.
        if (head.upgrade) requests.off('data', onRequest);
        requestBody.start(announcedBodyLength(head.headers));
        return 'body';
      },
      body: (chunk) => {
        const current = pending[pending.length - 1];
        if (!current) return;
        current.requestBytes += chunk.length;
        if (current.request) keep(current.request, chunk);
        requestBody.piece(chunk.length, capturing(current.request));
      },
      end: () => requestBody.end(),
    },
    parserOptions,
  );

  const resParser = new HttpParser(
    'response',
    {
      head: (head) => {
        const req = pending[0];
        if (!req) {
          stop('a response without a request');
          return 'none';
        }
        // 100 Continue and other interim answers come before the real one.
        interim = head.status < 200 && head.status !== 101;
        if (interim) return 'body';
        req.status = head.status;
        req.statusText = head.statusMessage;
        if (capture) req.response = captured(head);
        switched = head.status === 101 || (req.method === 'CONNECT' && head.status < 300);
        if (switched) return 'switch';
        responseBody.start(announcedResponseLength(req.method, head.status, head.headers));
        return req.method === 'HEAD' ? 'none' : 'body';
      },
      body: (chunk) => {
        const current = pending[0];
        if (!current) return;
        current.responseBytes += chunk.length;
        if (current.response) keep(current.response, chunk);
        responseBody.piece(chunk.length, capturing(current.response));
      },
      end: () => {
        if (interim) return void (interim = false);
        responseBody.end();
        const req = pending.shift();
        const exchange = req && report(req);
        if (switched) switchedBy = exchange;
      },
    },
    parserOptions,
  );

  // The bodies of the current request and response: one whose length its head announced is
  // counted from the chunks as they pass once what is captured of it is complete, rather than
  // from the parser's pieces (Node's parser copies each piece it hands over).
  const requestBody = new AnnouncedBody(reqParser);
  const responseBody = new AnnouncedBody(resParser);
  const capture = o.captureBodyBytes;
  // A capture still filling wants the parser's pieces.
  const capturing = (message: CapturedMessage | undefined) => message !== undefined && message.truncatedBytes === 0;
  // The body bytes at the start of `chunk` when they are counted from the chunks.
  const passed = (body: AnnouncedBody, chunk: Buffer, message: CapturedMessage | undefined) => {
    if (!body.counting) return 0;
    const n = body.passed(chunk);
    if (message) message.truncatedBytes += n;
    return n;
  };
  const keep = (message: CapturedMessage, chunk: Buffer) => {
    const room = Math.max(0, (capture ?? 0) - message.body.length);
    const taken = Math.min(room, chunk.length);
    // A copy of the part kept: the parser's piece may be larger than the capture.
    if (taken > 0) message.body = Buffer.concat([message.body, chunk.subarray(0, taken)]);
    message.truncatedBytes += chunk.length - taken;
  };
  const report = (req: Pending, error?: string): HttpExchange => {
    const exchange = exchangeOf(req, performance.now() - req.startedAt, error);
    o.onExchange(exchange);
    return exchange;
  };
  /** Parses `chunk`; returns the bytes that were HTTP, or undefined when tracking stopped. */
  const feed = (parser: HttpParser, chunk: Buffer, side: string): number | undefined => {
    if (stoppedBecause) return undefined;
    try {
      return parser.execute(chunk);
    } catch (err) {
      if (!stoppedBecause) stop(`${side} is not HTTP/1.x (${(err as Error).message})`);
      return undefined;
    }
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
    const current = pending[pending.length - 1];
    if (current) current.requestBytes += passed(requestBody, chunk, current.request);
    feed(reqParser, chunk, 'the request side');
  };
  const onResponse = (chunk: Buffer) => {
    if (firstResponse && chunk.length > 0) {
      firstResponse = false;
      if (chunk[0] !== 0x48) return stop('the response side is not HTTP/1.x (first byte)');
    }
    const current = pending[0];
    if (current) current.responseBytes += passed(responseBody, chunk, current.response);
    const parsed = feed(resParser, chunk, 'the response side');
    if (parsed === undefined || !switched) return;
    stop('switched protocols');
    // What follows the 101 head in its chunk already belongs to the new protocol.
    if (switchedBy && o.onSwitch) o.onSwitch(switchedBy, chunk.subarray(parsed));
  };
  // A response without a length ends with the connection.
  const onResponseEnd = () => {
    if (stoppedBecause) return;
    try {
      resParser.finish();
    } catch {
      stop('the response side ended mid-message');
    }
  };
  const stop = (why: string) => {
    if (stoppedBecause) return;
    stoppedBecause = why;
    requests.off('data', onRequest);
    responses.off('data', onResponse);
    responses.off('end', onResponseEnd);
    // The parsers may be inside a callback: freed once the stack unwinds.
    setImmediate(() => {
      reqParser.close();
      resParser.close();
    });
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

/**
 * The exchange reported for `req`, built field by field: a copy by spread or rest goes through
 * V8's slow generic path, and this runs for every request.
 */
function exchangeOf(req: Pending, durationMs: number, error: string | undefined): HttpExchange {
  const exchange: HttpExchange = {
    method: req.method,
    path: req.path,
    durationMs,
    requestBytes: req.requestBytes,
    responseBytes: req.responseBytes,
  };
  if (req.status !== undefined) exchange.status = req.status;
  if (req.statusText !== undefined) exchange.statusText = req.statusText;
  if (error) exchange.error = error;
  if (req.request) exchange.request = req.request;
  if (req.response) exchange.response = req.response;
  return exchange;
}

/** The head of a message as captured, with an empty body to fill. */
function captured(head: MessageHead): CapturedMessage {
  return {
    proto: `HTTP/${head.versionMajor}.${head.versionMinor}`,
    headers: head.headers,
    body: Buffer.alloc(0),
    truncatedBytes: 0,
  };
}
