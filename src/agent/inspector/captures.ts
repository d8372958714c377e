/**
 * The inspector's memory of HTTP requests: a ring of the most recent captured requests, bounded
 * by count and by the bytes their heads and bodies hold (`inspect_db_size`), each shown in the
 * shape of ngrok's agent API (`GET /api/requests/http`).
 */
import { randomBytes } from 'node:crypto';
import type { CapturedMessage } from '../traffic/http-tap.ts';
import type { HttpRequestRecord } from '../traffic/traffic.ts';

/** A request kept by the inspector. */
export interface Capture {
  /** ngrok-style id: 16 hex digits (a random session prefix, then a counter). */
  id: string;
  /** Milliseconds since the epoch when the request started. */
  startedAt: number;
  record: HttpRequestRecord;
  /** The bytes this capture holds (heads and bodies), counted against the byte bound. */
  size: number;
  /** WebSocket messages of an upgraded connection (newest last, bounded). */
  messages: WebSocketMessage[];
}

/** One WebSocket message seen on an upgraded connection. */
export interface WebSocketMessage {
  /** `in`: from the public client to the service; `out`: back. */
  direction: 'in' | 'out';
  /** Milliseconds since the epoch. */
  at: number;
  /** `text`, `binary`, `close`, `ping` or `pong`. */
  kind: string;
  /** The first bytes of the payload (the capture limit). */
  data: Buffer;
  /** The payload's full length in bytes. */
  length: number;
}

/** A captured request or response in ngrok's shape. */
interface NgrokMessage {
  proto: string;
  headers: Record<string, string[]>;
  /** The message as it went over the wire (head, then the captured body; de-chunked), base64. */
  raw: string;
}

/** A capture in ngrok's agent API shape. */
export interface NgrokCapture {
  uri: string;
  id: string;
  tunnel_name: string;
  remote_addr: string;
  /** RFC 3339. */
  start: string;
  /** Nanoseconds, as ngrok's agent reports Go durations. */
  duration: number;
  request: NgrokMessage & { method: string; uri: string };
  response: (NgrokMessage & { status: string; status_code: number }) | null;
  /** Portico: body bytes not captured (beyond the per-body limit). */
  truncated: { request: number; response: number };
  /** Portico: set when the connection closed before the response was complete. */
  error?: string;
  /** Portico: WebSocket messages of an upgraded connection. */
  websocket?: Array<{ direction: string; at: string; kind: string; data: string; length: number }>;
}

export interface CaptureStoreOptions {
  /** Requests kept. Default 500. */
  maxRequests?: number;
  /** Bytes of heads and bodies kept, all requests together. Default 50 MiB (ngrok's inspect_db_size default). */
  maxBytes?: number;
}

/** WebSocket messages kept per connection (the newest). */
const maxMessages = 200;

export class CaptureStore {
  readonly #captures = new Map<string, Capture>();
  readonly #maxRequests: number;
  readonly #maxBytes: number;
  readonly #prefix = randomBytes(4).toString('hex');
  #counter = 0;
  #bytes = 0;

  constructor(o: CaptureStoreOptions = {}) {
    this.#maxRequests = Math.max(1, o.maxRequests ?? 500);
    this.#maxBytes = Math.max(1, o.maxBytes ?? 50 * 1024 * 1024);
  }

  /** Keeps `record` (evicting the oldest beyond the bounds) and returns its capture. */
  add(record: HttpRequestRecord): Capture {
    this.#counter += 1;
    const id = `${this.#prefix}${this.#counter.toString(16).padStart(8, '0')}`;
    const size = messageSize(record.request) + messageSize(record.response);
    const capture: Capture = { id, startedAt: Date.now() - record.durationMs, record, size, messages: [] };
    this.#captures.set(id, capture);
    this.#bytes += size;
    for (const [oldest, c] of this.#captures) {
      if (this.#captures.size <= this.#maxRequests && this.#bytes <= this.#maxBytes) break;
      if (oldest === id) break;
      this.#drop(c);
    }
    return capture;
  }

  /** Adds a WebSocket message to `capture`, keeping the newest maxMessages. */
  addMessage(capture: Capture, message: WebSocketMessage): void {
    if (!this.#captures.has(capture.id)) return;
    capture.messages.push(message);
    capture.size += message.data.length;
    this.#bytes += message.data.length;
    if (capture.messages.length > maxMessages) {
      const dropped = capture.messages.shift()!;
      capture.size -= dropped.data.length;
      this.#bytes -= dropped.data.length;
    }
  }

  get(id: string): Capture | undefined {
    return this.#captures.get(id);
  }

  /** Up to `limit` captures, newest first, of `tunnel` when given. */
  list(limit: number, tunnel?: string): Capture[] {
    const out: Capture[] = [];
    const all = [...this.#captures.values()];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      if (tunnel === undefined || all[i]!.record.tunnel === tunnel) out.push(all[i]!);
    }
    return out;
  }

  clear(): void {
    this.#captures.clear();
    this.#bytes = 0;
  }

  #drop(capture: Capture): void {
    this.#captures.delete(capture.id);
    this.#bytes -= capture.size;
  }
}

/** `capture` in ngrok's agent API shape. */
export function ngrokCapture(capture: Capture): NgrokCapture {
  const r = capture.record;
  const out: NgrokCapture = {
    uri: `/api/requests/http/${capture.id}`,
    id: capture.id,
    tunnel_name: r.tunnel,
    remote_addr: hostOf(r.clientAddr),
    start: new Date(capture.startedAt).toISOString(),
    duration: Math.round(r.durationMs * 1e6),
    request: {
      method: r.method,
      proto: r.request?.proto ?? 'HTTP/1.1',
      headers: headerMap(r.request?.headers ?? []),
      uri: r.path,
      raw: rawRequest(r).toString('base64'),
    },
    response: r.response && r.status !== undefined ? ngrokResponse(r, r.response, r.status) : null,
    truncated: { request: r.request?.truncatedBytes ?? 0, response: r.response?.truncatedBytes ?? 0 },
  };
  if (r.error) out.error = r.error;
  if (capture.messages.length > 0) {
    out.websocket = capture.messages.map((m) => ({
      direction: m.direction,
      at: new Date(m.at).toISOString(),
      kind: m.kind,
      data: m.data.toString('base64'),
      length: m.length,
    }));
  }
  return out;
}

/** The request as it went over the wire: request line, headers, captured body. */
export function rawRequest(r: HttpRequestRecord): Buffer {
  const m = r.request;
  const head = `${r.method} ${r.path} ${m?.proto ?? 'HTTP/1.1'}\r\n${headerLines(m?.headers ?? [])}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), m?.body ?? Buffer.alloc(0)]);
}

function ngrokResponse(r: HttpRequestRecord, m: CapturedMessage, status: number) {
  const head = `${m.proto} ${status} ${r.statusText ?? ''}\r\n${headerLines(m.headers)}\r\n`;
  return {
    status: `${status} ${r.statusText ?? ''}`.trim(),
    status_code: status,
    proto: m.proto,
    headers: headerMap(m.headers),
    raw: Buffer.concat([Buffer.from(head, 'latin1'), m.body]).toString('base64'),
  };
}

/** `[name, value, …]` as Go's http.Header: canonical names, every value in order. */
function headerMap(flat: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = canonicalName(flat[i]!);
    (out[name] ??= []).push(flat[i + 1]!);
  }
  return out;
}

function headerLines(flat: readonly string[]): string {
  let out = '';
  for (let i = 0; i + 1 < flat.length; i += 2) out += `${flat[i]}: ${flat[i + 1]}\r\n`;
  return out;
}

/** `content-type` → `Content-Type`, as Go's textproto.CanonicalMIMEHeaderKey. */
function canonicalName(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** `203.0.113.7:51234` → `203.0.113.7`; `[::1]:80` → `::1`. */
function hostOf(addr: string): string {
  const m = /^\[?(.*?)\]?:\d+$/.exec(addr);
  return m ? m[1]! : addr;
}

function messageSize(m: CapturedMessage | undefined): number {
  if (!m) return 0;
  return m.body.length + m.headers.reduce((n, h) => n + h.length + 4, 64);
}
