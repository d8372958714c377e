/**
 * What the edge tells about each public HTTP request once it is over: the access log writes a
 * line, the metrics count it. Observers are told after the response, never on the way.
 */
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { rawAnswerOf } from './error-page.ts';
import { requestHost } from './headers.ts';

/** One public HTTP request, once answered (or abandoned by the client). */
export interface RequestRecord {
  /** The id error pages show. */
  requestId: string;
  method: string;
  host: string;
  /** The path, without the query string (it may carry tokens). */
  path: string;
  scheme: 'http' | 'https';
  /** The status sent; 0 when the client went away before any. */
  status: number;
  /** Milliseconds from the request head to the end of the response. */
  durationMs: number;
  /** Bytes read from and written to the client's connection for this request, heads included. */
  bytesIn: number;
  bytesOut: number;
  /** "ip:port" of the client. */
  clientAddr: string;
  /** The HTTPS edge and route that served the request; undefined for agent endpoints and unrouted requests. */
  edgeId?: string;
  routeId?: string;
  /** The route or agent endpoint the request went to. */
  endpointId?: string;
}

export interface RequestObserver {
  requestDone(record: RequestRecord): void;
}

/** Where a request went, filled in by the proxy as it learns it. */
export interface Served {
  edgeId?: string;
  routeId?: string;
  endpointId?: string;
}

/** Several observers as one (undefined when there is none, so the proxy skips the work). */
export function allObservers(list: readonly (RequestObserver | undefined)[]): RequestObserver | undefined {
  const present = list.filter((o): o is RequestObserver => o !== undefined);
  if (present.length <= 1) return present[0];
  return { requestDone: (record) => present.forEach((o) => o.requestDone(record)) };
}

/** Socket byte counts at the end of the previous request on the connection (keep-alive). */
const marks = new WeakMap<object, { read: number; written: number }>();

/** Bytes read and written on `socket` since the previous request on it ended; marks this one's end. */
function bytesSinceLast(socket: { bytesRead?: number; bytesWritten?: number }): { bytesIn: number; bytesOut: number } {
  const read = socket.bytesRead ?? 0;
  const written = socket.bytesWritten ?? 0;
  const mark = marks.get(socket) ?? { read: 0, written: 0 };
  marks.set(socket, { read, written });
  return { bytesIn: Math.max(0, read - mark.read), bytesOut: Math.max(0, written - mark.written) };
}

/** What one request or upgrade watched on `ex` comes to. */
interface Watched {
  req: http.IncomingMessage;
  scheme: 'http' | 'https';
  requestId: string;
  clientAddr: string;
}

/**
 * The record of `ex` once over, built field by field: a record made by spreads takes V8's slow
 * path, and this runs once per request. `socket` is the client's connection (for the bytes).
 */
function recordOf(
  ex: Watched,
  socket: { bytesRead?: number; bytesWritten?: number },
  status: number,
  durationMs: number,
  served: Served,
): RequestRecord {
  // Bytes since the previous request on this connection ended: this request's head and body.
  const bytes = bytesSinceLast(socket);
  return {
    requestId: ex.requestId,
    method: ex.req.method ?? '',
    host: requestHost(ex.req),
    path: pathOf(ex.req),
    scheme: ex.scheme,
    status,
    durationMs: roundMs(durationMs),
    bytesIn: bytes.bytesIn,
    bytesOut: bytes.bytesOut,
    clientAddr: ex.clientAddr,
    edgeId: served.edgeId,
    routeId: served.routeId,
    endpointId: served.endpointId,
  };
}

/** The request's path, without the query string. */
function pathOf(req: http.IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/**
 * Tells `observer` about the request once its response closes. Returns `served`, for the proxy
 * to fill in where the request goes.
 */
export function watchRequest(observer: RequestObserver, ex: Watched & { res: http.ServerResponse }): Served {
  const started = performance.now();
  const served: Served = {};
  // Taken now: by the time the response closes, Node may have let go of the socket (req.socket null).
  const socket = ex.req.socket;
  ex.res.once('close', () => {
    const status = ex.res.headersSent ? ex.res.statusCode : 0;
    observer.requestDone(recordOf(ex, socket, status, performance.now() - started, served));
  });
  return served;
}

/**
 * Tells `observer` about an upgrade request (a WebSocket) once its connection closes: the status
 * answered (101 when the service took the upgrade; 0 when the client left before any answer),
 * milliseconds until that answer, and the bytes of the whole connection from the request on.
 */
export function watchUpgrade(observer: RequestObserver, ex: Watched & { socket: Duplex }): Served {
  const started = performance.now();
  const served: Served = {};
  const socket = ex.req.socket;
  ex.socket.once('close', () => {
    const answer = rawAnswerOf(ex.socket);
    const durationMs = (answer?.at ?? performance.now()) - started;
    observer.requestDone(recordOf(ex, socket, answer?.status ?? 0, durationMs, served));
  });
  return served;
}

function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
