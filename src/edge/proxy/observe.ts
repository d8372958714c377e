/**
 * What the edge tells about each public HTTP request once it is over: the access log writes a
 * line, the metrics count it. Observers are told after the response, never on the way.
 */
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
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

/**
 * Tells `observer` about the request once its response closes. Returns `served`, for the proxy
 * to fill in where the request goes.
 */
export function watchRequest(
  observer: RequestObserver,
  ex: {
    req: http.IncomingMessage;
    res: http.ServerResponse;
    scheme: 'http' | 'https';
    requestId: string;
    clientAddr: string;
  },
): Served {
  const started = performance.now();
  const served: Served = {};
  ex.res.once('close', () => {
    const { req, res } = ex;
    const socket = req.socket;
    // Bytes since the previous request on this connection ended: this request's head and body.
    const read = socket.bytesRead ?? 0;
    const written = socket.bytesWritten ?? 0;
    const mark = marks.get(socket) ?? { read: 0, written: 0 };
    marks.set(socket, { read, written });
    observer.requestDone({
      requestId: ex.requestId,
      method: req.method ?? '',
      host: requestHost(req),
      path: (req.url ?? '/').split('?')[0]!,
      scheme: ex.scheme,
      status: res.headersSent ? res.statusCode : 0,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      bytesIn: Math.max(0, read - mark.read),
      bytesOut: Math.max(0, written - mark.written),
      clientAddr: ex.clientAddr,
      ...served,
    });
  });
  return served;
}
