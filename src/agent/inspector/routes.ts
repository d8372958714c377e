/**
 * The local JSON API, in the shape of ngrok's agent API (field names and types as ngrok
 * documents them), plus `GET /api/live`, the event stream the inspector page follows.
 */
import type http from 'node:http';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { Logger } from '../../log/logger.ts';
import type { AgentSession } from '../session.ts';
import type { AgentTraffic } from '../traffic/traffic.ts';
import { ngrokCapture, rawRequest } from './captures.ts';
import type { CaptureStore } from './captures.ts';
import type { LiveFeed } from './live-feed.ts';
import type { AgentMetrics } from './metrics.ts';
import { parseRawRequest, replay } from './replay.ts';
import { findTunnel, ngrokTunnel, startTunnel, tunnelName } from './tunnels-api.ts';

export interface InspectorContext {
  session: AgentSession;
  traffic: AgentTraffic;
  captures: CaptureStore;
  feed: LiveFeed;
  /** The agent's metrics, made at the first call. */
  metrics(): Promise<AgentMetrics>;
  configDir: string;
  logger: Logger;
}

export interface RouteInput {
  /** The path's captured parts, decoded. */
  params: string[];
  query: URLSearchParams;
  /** The JSON body of a POST. */
  body: unknown;
  req: http.IncomingMessage;
  res: http.ServerResponse;
}

/** JSON to send, `undefined` for 204 No Content, or 'streaming' when the route answered itself. */
type Answer = { status?: number; json: unknown } | undefined | 'streaming';

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: RegExp;
  handle(ctx: InspectorContext, input: RouteInput): Answer | Promise<Answer>;
}

/** `limit` of GET /api/requests/http when none is given, as ngrok's agent. */
const defaultLimit = 50;
const maxLimit = 1000;
const maxIdChars = 64;

const invalid = (why: string) => new PorticoError(ErrorCode.ERR_INSPECTOR_REQUEST_INVALID, why);

export const routes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/api\/?$/,
    handle: () => ({ json: { uri: '/api', tunnels: '/api/tunnels', requests: '/api/requests/http' } }),
  },
  {
    method: 'GET',
    path: /^\/api\/tunnels\/?$/,
    handle: (ctx) => ({
      json: { tunnels: ctx.session.tunnels.map((l) => ngrokTunnel(l, ctx.traffic)), uri: '/api/tunnels' },
    }),
  },
  {
    method: 'POST',
    path: /^\/api\/tunnels\/?$/,
    handle: async (ctx, { body }) => {
      const listener = await startTunnel(ctx.session, body, ctx.configDir);
      ctx.logger.info('started tunnel', { name: listener.name, addr: listener.forwardsTo, url: listener.url });
      return { status: 201, json: ngrokTunnel(listener, ctx.traffic) };
    },
  },
  {
    method: 'GET',
    path: /^\/api\/tunnels\/([^/]+)$/,
    handle: (ctx, { params }) => ({ json: ngrokTunnel(findTunnel(ctx.session, params[0]!), ctx.traffic) }),
  },
  {
    method: 'DELETE',
    path: /^\/api\/tunnels\/([^/]+)$/,
    handle: async (ctx, { params }) => {
      const listener = findTunnel(ctx.session, params[0]!);
      await listener.close();
      ctx.logger.info('stopped tunnel', { name: tunnelName(listener), url: listener.url });
      return undefined;
    },
  },
  {
    method: 'GET',
    path: /^\/api\/requests\/http\/?$/,
    handle: (ctx, { query }) => {
      const limit = limitOf(query.get('limit'));
      const tunnel = query.get('tunnel_name') ?? undefined;
      const requests = ctx.captures.list(limit, tunnel).map(ngrokCapture);
      return { json: { uri: '/api/requests/http', requests } };
    },
  },
  {
    method: 'POST',
    path: /^\/api\/requests\/http\/?$/,
    handle: async (ctx, { body }) => {
      await replayFrom(ctx, body);
      return undefined;
    },
  },
  {
    method: 'DELETE',
    path: /^\/api\/requests\/http\/?$/,
    handle: (ctx) => {
      ctx.captures.clear();
      ctx.feed.cleared();
      return undefined;
    },
  },
  {
    method: 'GET',
    path: /^\/api\/requests\/http\/([^/]+)$/,
    handle: (ctx, { params }) => ({ json: ngrokCapture(captureById(ctx, params[0]!)) }),
  },
  {
    method: 'GET',
    path: /^\/api\/live$/,
    handle: (ctx, { req, res }) => {
      ctx.feed.follow(req, res);
      return 'streaming';
    },
  },
];

function limitOf(text: string | null): number {
  if (text === null) return defaultLimit;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > maxLimit) throw invalid(`limit: give an integer from 1 to ${maxLimit}`);
  return n;
}

function captureById(ctx: InspectorContext, id: string) {
  const capture = id.length <= maxIdChars ? ctx.captures.get(id) : undefined;
  if (!capture)
    throw new PorticoError(ErrorCode.ERR_INSPECTOR_NOT_FOUND, `no captured request ${id.slice(0, maxIdChars)}`);
  return capture;
}

/**
 * `{id, tunnel_name?}` replays a captured request (ngrok's form); Portico's editor adds `raw`,
 * the edited request as base64 text, sent instead of the captured one.
 */
async function replayFrom(ctx: InspectorContext, body: unknown): Promise<void> {
  if (typeof body !== 'object' || body === null) throw invalid('the body must be a JSON object');
  const { id, tunnel_name: name, raw } = body as Record<string, unknown>;
  if (name !== undefined && typeof name !== 'string') throw invalid('tunnel_name must be a string');
  if (raw !== undefined && typeof raw !== 'string') throw invalid('raw must be the request, base64');
  if (typeof id !== 'string' && raw === undefined) throw invalid('id: give the id of the captured request to replay');
  const capture = typeof id === 'string' ? captureById(ctx, id) : undefined;
  const tunnel = name ?? capture?.record.tunnel;
  if (!tunnel) throw invalid('tunnel_name: give the tunnel to replay through');
  const listener = findTunnel(ctx.session, tunnel);
  const bytes = raw !== undefined ? Buffer.from(raw, 'base64') : rawRequest(capture!.record);
  await replay(parseRawRequest(bytes), listener, ctx.traffic);
}
