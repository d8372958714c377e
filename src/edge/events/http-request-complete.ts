/**
 * `http_request_complete.v0`: when a public request the proxy routed has finished (response
 * sent, or the client gone), its fields are gathered and handed to the dispatcher. Only done
 * when some subscription of the account wants the event type. An upgrade request (a WebSocket)
 * is reported when its connection closes, with the answer written to it (101 when the service
 * took it) and the time until that answer, as the access log has it.
 */
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { HttpRequestCompleteField } from '../../config/events/event-fields.ts';
import { rfc3339 } from '../../store/timestamps.ts';
import { connAddressesOf, type ConnAddresses } from '../proxy/client-addr.ts';
import { rawAnswerOf } from '../proxy/error-page.ts';
import type { HttpExchange } from '../proxy/forward-http.ts';
import { requestHost } from '../proxy/headers.ts';
import type { Tunnel } from '../tunnels/tunnel.ts';
import type { TrafficEvents } from './traffic.ts';

/** Ids of what served the request, as far as the proxy knows them when it routes. */
export interface HttpRequestIds {
  accountId: string;
  edgeId?: string;
  routeId?: string;
  backendId?: string;
  /** The endpoint's id (`ep_…`, as `/endpoints` lists it): the agent endpoint's, or the edge hostport's. */
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
  const addresses = connAddressesOf(ex.req.socket);
  ex.res.once('close', () => events.traffic(ids.accountId, type, () => httpRequestFields(ex, ids, started, addresses)));
}

/**
 * Reports the upgrade request `req` once `socket` (the client's connection) closes, if the
 * account subscribes to the event. `tunnel()` names the tunnel that took it, if one did.
 */
export function reportUpgradeComplete(
  events: TrafficEvents | undefined,
  ex: { req: http.IncomingMessage; socket: Duplex; tunnel(): Tunnel | undefined },
  ids: HttpRequestIds,
): void {
  if (!events?.wants(ids.accountId, type)) return;
  const startedMs = Date.now();
  const started = performance.now();
  const addresses = connAddressesOf(ex.req.socket);
  ex.socket.once('close', () => {
    const closed = performance.now();
    events.traffic(ids.accountId, type, () => {
      const answer = rawAnswerOf(ex.socket);
      return completedFields(
        {
          req: ex.req,
          addresses,
          tunnel: ex.tunnel(),
          status: answer?.status,
          responseHeaders: answer ? headerRecord(answer.rawHeaders) : {},
          startedMs,
          durationMs: Math.round((answer?.at ?? closed) - started),
        },
        ids,
      );
    });
  });
}

/** Every field of the event for a finished exchange. */
function httpRequestFields(
  ex: HttpExchange,
  ids: HttpRequestIds,
  startedMs: number,
  addresses: ConnAddresses,
): Record<HttpRequestCompleteField, unknown> {
  const { req, res } = ex;
  return completedFields(
    {
      req,
      addresses,
      tunnel: ex.tunnel,
      status: res.headersSent ? res.statusCode : undefined,
      responseHeaders: responseHeaders(res),
      startedMs,
      durationMs: Date.now() - startedMs,
    },
    ids,
  );
}

/** A request once over, as the event tells it. */
interface Completed {
  req: http.IncomingMessage;
  /** The connection's ends, read when the request came. */
  addresses: ConnAddresses;
  tunnel: Tunnel | undefined;
  /** The status answered; undefined when the client left before any. */
  status: number | undefined;
  /** As sent to the client, names in lower case. */
  responseHeaders: Record<string, string>;
  startedMs: number;
  durationMs: number;
}

function completedFields(c: Completed, ids: HttpRequestIds): Record<HttpRequestCompleteField, unknown> {
  const { req, addresses } = c;
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  return {
    'backend.id': ids.backendId,
    'conn.client_ip': addresses.clientIp,
    'conn.client_port': addresses.clientPort,
    'conn.server_name': requestHost(req),
    'conn.server_port': addresses.serverPort,
    'conn.start_ts': rfc3339(c.startedMs),
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
    'http.response.body_length': lengthOf(c.responseHeaders['content-length']),
    'http.response.headers': c.responseHeaders,
    'http.response.status_code': c.status || undefined,
    'http.duration_ms': c.durationMs,
    'tunnel.id': c.tunnel?.id,
    'tunnel.session.id': c.tunnel?.session.id,
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

/** `[name, value, …]` as a record of lower-case names, repeated headers joined with ", ". */
function headerRecord(raw: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    out[name] = name in out ? `${out[name]}, ${raw[i + 1]}` : raw[i + 1]!;
  }
  return out;
}
