import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { isPorticoError, type ErrorCode } from '../../errors/catalogue.ts';
import type { Logger } from '../../log/logger.ts';
import type { EndpointGroup } from '../tunnels/endpoint-group.ts';
import type { TunnelRegistry } from '../tunnels/registry.ts';
import type { Tunnel } from '../tunnels/tunnel.ts';
import { sendErrorPage, writeRawErrorPage } from './error-page.ts';
import { clientIp, forwardedRequestHeaders, forwardedResponseHeaders, requestHost } from './headers.ts';
import { splice } from './splice.ts';
import { TunnelAgents } from './tunnel-agents.ts';
import { asSocket } from './tunnel-socket.ts';

export interface HttpProxyOptions {
  registry: TunnelRegistry;
  /** Which public listener this proxy serves. */
  scheme: 'http' | 'https';
  /** Public HTTPS port, for redirects from the HTTP port to https-only endpoints. */
  httpsPort: number;
  /** Milliseconds a request waits for a reconnecting agent. Default 5000. */
  reconnectWaitMs?: number;
  logger: Logger;
}

export interface HttpProxy {
  request(req: http.IncomingMessage, res: http.ServerResponse): void;
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
}

function requestId(): string {
  return randomBytes(8).toString('hex');
}

/** Forwards public HTTP requests (and WebSocket upgrades) to the tunnel serving their Host. */
export function createHttpProxy(options: HttpProxyOptions): HttpProxy {
  const { registry, scheme, logger } = options;
  const agents = new TunnelAgents();
  const waitMs = options.reconnectWaitMs ?? 5000;

  const endpointFor = (host: string): EndpointGroup | 'redirect' | undefined => {
    if (scheme === 'https') {
      const group = registry.httpsEndpoint(host);
      return group?.kind === 'https' ? group : undefined;
    }
    return registry.httpEndpoint(host) ?? (registry.httpsEndpoint(host)?.kind === 'https' ? 'redirect' : undefined);
  };

  const tunnelFor = async (req: http.IncomingMessage): Promise<Tunnel | ErrorCode | 'redirect'> => {
    const group = endpointFor(requestHost(req));
    if (group === 'redirect') return group;
    if (!group) return 'ERR_EDGE_TUNNEL_NOT_FOUND';
    return (await group.waitForTunnel(waitMs)) ?? 'ERR_EDGE_TUNNEL_NOT_FOUND';
  };

  async function request(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const id = requestId();
    const tunnel = await tunnelFor(req);
    if (tunnel === 'redirect') return redirectToHttps(req, res, options.httpsPort);
    if (typeof tunnel === 'string') return sendErrorPage(res, tunnel, id, requestHost(req));
    const upstream = http.request({
      agent: agents.for(tunnel, scheme),
      method: req.method,
      path: req.url,
      headers: forwardedRequestHeaders(req, scheme, false),
      setHost: false,
      clientAddr: `${clientIp(req)}:${req.socket.remotePort ?? 0}`,
    } as http.RequestOptions);
    upstream.on('response', (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, forwardedResponseHeaders(upRes.rawHeaders));
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    });
    upstream.on('error', (err) => {
      logger.debug('upstream request failed', { err, tunnel: tunnel.id });
      sendErrorPage(res, errorCodeFor(err), id);
    });
    // The client went away: stop the upstream request rather than finish it for nobody.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  async function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const id = requestId();
    socket.on('error', () => socket.destroy());
    const tunnel = await tunnelFor(req);
    if (typeof tunnel === 'string') return writeRawErrorPage(socket, tunnel === 'redirect' ? 'ERR_EDGE_TUNNEL_NOT_FOUND' : tunnel, id);
    let stream;
    try {
      stream = asSocket(tunnel.openStream({ clientAddr: `${clientIp(req)}:${req.socket.remotePort ?? 0}`, proto: scheme, passthroughTls: false }));
    } catch (err) {
      return writeRawErrorPage(socket, errorCodeFor(err), id);
    }
    const upstream = http.request({
      createConnection: () => stream,
      method: req.method,
      path: req.url,
      headers: forwardedRequestHeaders(req, scheme, true),
      setHost: false,
    });
    upstream.on('upgrade', (upRes, upSocket, upHead) => {
      socket.write(statusLine(upRes) + rawHeaderBlock(upRes.rawHeaders));
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      splice(socket, upSocket);
    });
    upstream.on('response', (upRes) => {
      socket.write(statusLine(upRes) + rawHeaderBlock(forwardedResponseHeaders(upRes.rawHeaders).concat('connection', 'close')));
      upRes.pipe(socket);
    });
    upstream.on('error', (err) => writeRawErrorPage(socket, errorCodeFor(err), id));
    upstream.end();
  }

  return {
    request: (req, res) => void request(req, res),
    upgrade: (req, socket, head) => void upgrade(req, socket, head),
  };
}

function errorCodeFor(err: unknown): ErrorCode {
  if (isPorticoError(err) && err.code === 'ERR_MUX_STREAMS_EXHAUSTED') return 'ERR_EDGE_AGENT_BUSY';
  return 'ERR_EDGE_AGENT_GONE';
}

function statusLine(res: http.IncomingMessage): string {
  return `HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}\r\n`;
}

function rawHeaderBlock(raw: string[]): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out + '\r\n';
}

function redirectToHttps(req: http.IncomingMessage, res: http.ServerResponse, httpsPort: number): void {
  const port = httpsPort === 443 ? '' : `:${httpsPort}`;
  res.writeHead(308, { location: `https://${requestHost(req)}${port}${req.url ?? '/'}`, 'content-length': 0 });
  res.end();
}
