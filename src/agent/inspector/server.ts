/**
 * The agent's web service (ngrok's "web" on 127.0.0.1:4040): the traffic inspector page, the
 * local JSON API in the shape of ngrok's agent API, a live event stream for the page, and the
 * agent's Prometheus `/metrics`. When the port is taken the next ones are tried, as ngrok does.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, PorticoError, isPorticoError } from '../../errors/catalogue.ts';
import type { Logger } from '../../log/logger.ts';
import { joinHostPort, splitHostPort } from '../addr.ts';
import type { AgentSession } from '../session.ts';
import type { AgentTraffic } from '../traffic/traffic.ts';
import { CaptureStore } from './captures.ts';
import type { AgentMetrics } from './metrics.ts';
import { routes } from './routes.ts';
import type { InspectorContext } from './routes.ts';
import { LiveFeed } from './live-feed.ts';

export interface InspectorOptions {
  session: AgentSession;
  /** The traffic observer the session reports to (created with captureBodyBytes to capture). */
  traffic: AgentTraffic;
  /** `host:port` to listen on. Default 127.0.0.1:4040. */
  addr?: string;
  /** Bytes of captured requests kept (ngrok's inspect_db_size). Default 50 MiB. */
  maxBytes?: number;
  /** Requests kept. Default 500. */
  maxRequests?: number;
  /** The directory relative paths of tunnels started through the API resolve against. */
  configDir: string;
  logger: Logger;
}

export interface Inspector {
  /** `http://127.0.0.1:4040`. */
  url: string;
  close(): Promise<void>;
}

/** The default address, as ngrok's `web_addr`. */
export const defaultInspectAddr = '127.0.0.1:4040';
/** Ports tried after a taken one: 4040, then 4041 … 4049. */
const portsTried = 10;
/** Bytes of a request body the API reads. */
const maxBodyBytes = 1024 * 1024;

const page = readFileSync(new URL('./inspector.html', import.meta.url));

/** Listens on `addr` or the next free port and serves until close(). */
export async function startInspector(o: InspectorOptions): Promise<Inspector> {
  const captures = new CaptureStore({
    ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
    ...(o.maxRequests !== undefined ? { maxRequests: o.maxRequests } : {}),
  });
  const feed = new LiveFeed(o.traffic, captures);
  // Made at the first scrape, with prom-client loaded then: an agent nobody scrapes never
  // holds it (a few MiB). It counts what came before from the session's and the traffic's counts.
  let made: Promise<AgentMetrics> | undefined;
  const metrics = () =>
    (made ??= import('./metrics.ts').then(({ AgentMetrics }) => new AgentMetrics(o.session, o.traffic)));
  const { host, port } = splitHostPort(o.addr ?? defaultInspectAddr, 4040);
  const ctx: InspectorContext = { ...o, captures, feed, metrics };
  const server = http.createServer((req, res) => void serve(ctx, req, res, host));
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  const bound = await listen(server, host, port);
  const addr = joinHostPort(host, bound);
  o.logger.info('starting web service', { obj: 'web', addr });
  return {
    url: `http://${addr}`,
    close: () =>
      new Promise<void>((resolve) => {
        feed.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Binds `port`, or when it is taken the next ones; resolves with the port bound. */
async function listen(server: http.Server, host: string, port: number): Promise<number> {
  for (let i = 0; i < (port === 0 ? 1 : portsTried); i++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port + i, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return (server.address() as AddressInfo).port;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port + i >= 65535) throw unavailable(host, port, err);
    }
  }
  throw unavailable(host, port, undefined);
}

function unavailable(host: string, port: number, cause: unknown): PorticoError {
  const detail = `${joinHostPort(host, port)}${cause ? `: ${(cause as Error).message}` : ` to ${port + portsTried - 1} are taken`}`;
  return new PorticoError(ErrorCode.ERR_INSPECTOR_ADDR_UNAVAILABLE, detail, { cause });
}

async function serve(ctx: InspectorContext, req: http.IncomingMessage, res: http.ServerResponse, host: string) {
  try {
    checkHost(req, host);
    const url = new URL(req.url ?? '/', 'http://inspector');
    if (req.method === 'GET' && url.pathname === '/') return void page200(res);
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const metrics = await ctx.metrics();
      const text = await metrics.text();
      res.writeHead(200, { 'content-type': metrics.contentType }).end(text);
      return;
    }
    for (const route of routes) {
      const match = route.path.exec(url.pathname);
      if (!match || route.method !== req.method) continue;
      const body = route.method === 'POST' ? await readJson(req) : undefined;
      const answer = await route.handle(ctx, {
        params: match.slice(1).map(decodePart),
        query: url.searchParams,
        body,
        req,
        res,
      });
      if (answer === 'streaming') return;
      if (answer === undefined) return void res.writeHead(204).end();
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
      return;
    }
    throw new PorticoError(ErrorCode.ERR_INSPECTOR_NOT_FOUND, `${req.method} ${url.pathname}`);
  } catch (err) {
    sendError(res, err, ctx.logger);
  }
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new PorticoError(ErrorCode.ERR_INSPECTOR_REQUEST_INVALID, `${part.slice(0, 100)} is not a valid URL part`);
  }
}

function page200(res: http.ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy':
      "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:",
  });
  res.end(page);
}

/**
 * Refuses requests addressed to another name: a web page on some other site cannot reach the
 * API by making a name of its own resolve to 127.0.0.1 (DNS rebinding).
 */
function checkHost(req: http.IncomingMessage, boundHost: string): void {
  const raw = req.headers.host ?? '';
  const name = raw.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  const allowed = ['localhost', '127.0.0.1', '::1', boundHost];
  if (!allowed.includes(name) && !name.endsWith('.localhost'))
    throw new PorticoError(ErrorCode.ERR_INSPECTOR_HOST_REFUSED, `Host: ${raw.slice(0, 100)}`);
}

/**
 * The JSON body, at most maxBodyBytes. Only `application/json` is read: a form on another site
 * cannot post it without a preflight, which this server never grants.
 */
async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const invalid = (why: string) => new PorticoError(ErrorCode.ERR_INSPECTOR_REQUEST_INVALID, why);
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
    throw invalid('send the body as JSON, with Content-Type: application/json');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes) throw new PorticoError(ErrorCode.ERR_INSPECTOR_TOO_LARGE);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new PorticoError(ErrorCode.ERR_INSPECTOR_TOO_LARGE);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw invalid(`the body is not JSON: ${(err as Error).message}`);
  }
}

/** ngrok's agent API error shape, with our code: `{error_code, status_code, msg, details}`. */
function sendError(res: http.ServerResponse, err: unknown, logger: Logger): void {
  const known = isPorticoError(err);
  if (!known) logger.warn('agent API request failed', { err });
  const status = known ? err.status : 500;
  const body = {
    error_code: known ? err.code : ErrorCode.ERR_INSPECTOR_INTERNAL,
    status_code: status,
    msg: known ? err.message : 'internal error',
    details: {},
  };
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
