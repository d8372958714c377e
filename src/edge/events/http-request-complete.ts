/**
 * `http_request_complete.v0`: when a public request the proxy routed has finished (response
 * sent, or the client gone), its fields are gathered and handed to the dispatcher. Only done
 * when some subscription of the account wants the event type.
 */
import type http from 'node:http';
import type { HttpRequestCompleteField } from '../../config/events/event-fields.ts';
import { rfc3339 } from '../../store/timestamps.ts';
import { clientIpOf } from '../proxy/client-addr.ts';
import type { HttpExchange } from '../proxy/forward-http.ts';
import { requestHost } from '../proxy/headers.ts';
import type { TrafficEvents } from './traffic.ts';

/** Ids of what served the request, as far as the proxy knows them when it routes. */
export interface HttpRequestIds {
  accountId: string;
  edgeId?: string;
  routeId?: string;
  backendId?: string;
  /** The agent endpoint's tunnel id (agent endpoints), or the route id (edges). */
  endpointId?: string;
}

const type = 'http_request_complete.v0';

/** Reports `ex` once its response is over, if the account subscribes to the event. */
export function reportHttpRequestComplete(
  events: TrafficEvents | undefined,
  ex: HttpExchange,
  ids: HttpRequestIds,
): void {
  if (!events?.wants(ids.accountId, type)) return;
  const started = Date.now();
  ex.res.once('close', () => events.traffic(ids.accountId, type, httpRequestFields(ex, ids, started)));
}

/** Every field of the event for a finished exchange. */
export function httpRequestFields(
  ex: HttpExchange,
  ids: HttpRequestIds,
  startedMs: number,
): Record<HttpRequestCompleteField, unknown> {
  const { req, res } = ex;
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const headers = responseHeaders(res);
  return {
    'backend.id': ids.backendId,
    'conn.client_ip': clientIpOf(req.socket),
    'conn.client_port': req.socket.remotePort,
    'conn.server_name': requestHost(req),
    'conn.server_port': req.socket.localPort,
    'conn.start_ts': rfc3339(startedMs),
    'edge.id': ids.edgeId,
    'edge.route.id': ids.routeId,
    'endpoint.id': ids.endpointId,
    'http.request.body_length': lengthOf(req.headers['content-length']),
    'http.request.headers': req.headers,
    'http.request.method': req.method,
    'http.request.url.path': q < 0 ? raw : raw.slice(0, q),
    'http.request.url.query': q < 0 ? '' : raw.slice(q + 1),
    'http.request.url.raw': raw,
    'http.request.user_agent': req.headers['user-agent'] ?? '',
    'http.response.body_length': lengthOf(headers['content-length']),
    'http.response.headers': headers,
    'http.response.status_code': res.headersSent ? res.statusCode : undefined,
    'http.duration_ms': Date.now() - startedMs,
    'tunnel.id': ex.tunnel?.id,
    'tunnel.session.id': ex.tunnel?.session.id,
  };
}

function lengthOf(value: unknown): number | undefined {
  const n = Number(value);
  return typeof value === 'string' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

// Headers written with writeHead (the proxy passes the agent's raw headers) are not kept by
// getHeaders(); the block Node wrote is, so it is read back from there.
function responseHeaders(res: http.ServerResponse): Record<string, string> {
  const block: unknown = Reflect.get(res, '_header');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.getHeaders())) out[name] = String(value);
  if (typeof block !== 'string') return out;
  for (const line of block.split('\r\n').slice(1)) {
    const at = line.indexOf(':');
    if (at <= 0) continue;
    const name = line.slice(0, at).trim().toLowerCase();
    const value = line.slice(at + 1).trim();
    out[name] = name in out && !res.hasHeader(name) ? `${out[name]}, ${value}` : value;
  }
  return out;
}
