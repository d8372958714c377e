import http from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '../../errors/catalogue.ts';
import type { Logger } from '../../log/logger.ts';
import { newRequestId as requestId } from '../../log/request-id.ts';
import { answerUnavailable, type Backend } from '../backends/backend.ts';
import { tunnelUpstream } from '../backends/upstream.ts';
import { forwardCallback, type CallbackOrigin } from '../modules/identity/callback-origin.ts';
import { RequestModuleExchange, UpgradeModuleExchange } from '../pipeline/exchanges.ts';
import type { ResponseHead } from '../pipeline/exchange.ts';
import { shapeHead } from '../pipeline/respond.ts';
import { runModules, type HttpModule } from '../pipeline/http-module.ts';
import { resolveHttpsHost } from '../routing/resolve-host.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { TunnelRegistry } from '../tunnels/registry.ts';
import type { Tunnel } from '../tunnels/tunnel.ts';
import { sendErrorPage, writeRawErrorPage } from './error-page.ts';
import { forwardHttpToTunnel, type HttpExchange } from './forward-http.ts';
import { requestHost } from './headers.ts';
import { nextHops } from './loop.ts';
import type { StreamPools } from './stream-pools.ts';
import { openUpstream, upgradeThroughUpstream, type UpgradeClient } from './upgrade.ts';
import { clientAddrOf, clientIpOf } from './client-addr.ts';
import { accountRefuses } from './account-restrictions.ts';
import type { OpenConnections } from './open-connections.ts';
import { watchRequest, watchUpgrade, type RequestObserver, type Served } from './observe.ts';
import {
  reportHttpRequestComplete,
  reportUpgradeComplete,
  type HttpRequestIds,
} from '../events/http-request-complete.ts';
import type { TrafficEvents } from '../events/traffic.ts';

export interface HttpProxyOptions {
  registry: TunnelRegistry;
  /** The snapshot in force when a request arrives. */
  snapshot: () => Snapshot;
  streamPools: StreamPools;
  /** Which public listener this proxy serves. */
  scheme: 'http' | 'https';
  /** The public HTTPS port (once bound), for redirects from the HTTP port to HTTPS-only names. */
  httpsPort: () => number;
  /** Milliseconds a request waits for a reconnecting agent. Default 5000. */
  reconnectWaitMs?: number;
  /** The common callback origin whose `/oauth2/callback` forwards logins to their domain (identity/callback-origin.ts). */
  callbackOrigin?: CallbackOrigin;
  /** This edge process's id in the hops header (loop.ts). */
  hopId: string;
  /** Told about every request once it is answered (access log, metrics); none: nothing is measured. */
  observer?: RequestObserver;
  /** Where `http_request_complete.v0` goes (events/dispatcher.ts). Absent: no traffic events. */
  events?: TrafficEvents;
  /** Where WebSockets (and other upgrades) let in are tracked, for restrictions made later. */
  openConnections?: OpenConnections;
  logger: Logger;
}

export interface HttpProxy {
  request(req: http.IncomingMessage, res: http.ServerResponse): void;
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** Where one request goes (a backend of an edge route, a tunnel of an agent endpoint) and the modules on the way; or an error. */
type Target =
  | (({ backend: Backend; edgeId: string } | { tunnel: Tunnel }) & {
      modules: readonly HttpModule[];
      endpointId: string;
      ids: HttpRequestIds;
    })
  | { error: ErrorCode }
  | { redirect: true };

const noModules: readonly HttpModule[] = [];

/**
 * Forwards public HTTP requests (and WebSocket upgrades): HTTPS edges by Host then route
 * path, agent endpoints by Host, whichever matches the name more specifically.
 */
export function createHttpProxy(options: HttpProxyOptions): HttpProxy {
  const { registry, scheme, streamPools } = options;
  const waitMs = options.reconnectWaitMs ?? 5000;

  /** Whether the account's IP restrictions refuse this client at the endpoint (proxy/account-restrictions.ts). */
  function refused(req: http.IncomingMessage, target: { ids: HttpRequestIds }): boolean {
    return accountRefuses(options.snapshot(), target.ids.accountId, req.socket, options.logger);
  }

  async function targetFor(req: http.IncomingMessage): Promise<Target> {
    const host = requestHost(req);
    if (scheme === 'http') {
      const group = registry.httpEndpoint(host);
      if (group) return tunnelOf(group);
      return resolveHttpsHost(host, options.snapshot(), registry)
        ? { redirect: true }
        : { error: ErrorCode.ERR_EDGE_TUNNEL_NOT_FOUND };
    }
    const found = resolveHttpsHost(host, options.snapshot(), registry);
    if (!found) return { error: ErrorCode.ERR_EDGE_TUNNEL_NOT_FOUND };
    if (found.kind === 'endpoint')
      return found.group.kind === 'https' ? tunnelOf(found.group) : { error: ErrorCode.ERR_EDGE_TUNNEL_NOT_FOUND };
    if (found.edge.kind !== 'https') return { error: ErrorCode.ERR_EDGE_TUNNEL_NOT_FOUND };
    const route = found.edge.routes.match(host, (req.url ?? '/').split('?')[0]!);
    if (!route) return { error: ErrorCode.ERR_EDGE_ROUTE_NOT_FOUND };
    if (!route.backend) return { error: ErrorCode.ERR_EDGE_NO_BACKEND };
    const ids = {
      accountId: found.edge.accountId,
      edgeId: found.edge.id,
      routeId: route.id,
      backendId: route.backend.id,
    };
    return {
      backend: route.backend,
      modules: route.modules,
      endpointId: route.id,
      edgeId: route.edgeId,
      ids: { ...ids, endpointId: found.edge.endpointIds.get(found.name) },
    };
  }

  // Pooled agents each bring their own options: the chain is that of the tunnel picked.
  async function tunnelOf(group: { waitForTunnel(ms: number): Promise<Tunnel | undefined> }): Promise<Target> {
    const tunnel = await group.waitForTunnel(waitMs);
    return tunnel
      ? {
          tunnel,
          modules: tunnel.modules ?? noModules,
          endpointId: tunnel.id,
          ids: { accountId: tunnel.session.accountId, endpointId: tunnel.endpointId },
        }
      : { error: ErrorCode.ERR_EDGE_TUNNEL_NOT_FOUND };
  }

  /** A provider's callback at the common callback origin, for a login on another domain the edge serves. */
  function forwardedCallback(req: http.IncomingMessage): { location: string } | 'refuse' | undefined {
    const common = options.callbackOrigin;
    if (!common || common.origin.protocol !== `${scheme}:`) return undefined;
    const serves = (name: string) =>
      !!registry.httpEndpoint(name) || !!resolveHttpsHost(name, options.snapshot(), registry);
    const decision = forwardCallback(common, req, requestHost(req), serves);
    return decision === 'not-mine' ? undefined : decision;
  }

  async function request(req: http.IncomingMessage, res: http.ServerResponse, id: string): Promise<void> {
    const hops = nextHops(req, options.hopId);
    const ex: HttpExchange = {
      req,
      res,
      scheme,
      requestId: id,
      clientAddr: clientAddrOf(req.socket),
      hops: hops ?? '',
    };
    const served = options.observer && watchRequest(options.observer, ex);
    if (hops === undefined) return sendErrorPage(res, ErrorCode.ERR_NGROK_3603, ex.requestId, requestHost(req));
    const forwarded = forwardedCallback(req);
    if (forwarded === 'refuse')
      return sendErrorPage(res, ErrorCode.ERR_EDGE_IDENTITY_STATE_INVALID, ex.requestId, requestHost(req));
    if (forwarded) return void res.writeHead(302, { location: forwarded.location, 'cache-control': 'no-store' }).end();
    const target = await targetFor(req);
    if (served) noteWhere(served, target);
    if ('redirect' in target) return redirectToHttps(req, res, options.httpsPort());
    if ('error' in target) return sendErrorPage(res, target.error, ex.requestId, requestHost(req));
    reportHttpRequestComplete(options.events, ex, target.ids);
    // Refused like a module refuses: reported to the account's events, answered 403.
    if (refused(req, target))
      return sendErrorPage(res, ErrorCode.ERR_EDGE_IP_RESTRICTED, ex.requestId, requestHost(req));
    const forward = async () => {
      if ('tunnel' in target)
        return void (await forwardHttpToTunnel(target.tunnel, ex, streamPools, { edgeType: '', mayFail: false }));
      if ((await target.backend.forwardHttp(ex)) === 'unavailable') answerUnavailable(ex);
    };
    if (target.modules.length === 0) return forward();
    const moduleEx = new RequestModuleExchange(ex, {
      endpointId: target.endpointId,
      publicEndpointId: target.ids.endpointId ?? '',
    });
    return runModules(target.modules, moduleEx, forward);
  }

  async function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, id: string): Promise<void> {
    socket.on('error', () => socket.destroy());
    const served =
      options.observer &&
      watchUpgrade(options.observer, { req, socket, scheme, requestId: id, clientAddr: clientAddrOf(req.socket) });
    const hops = nextHops(req, options.hopId);
    if (hops === undefined) return writeRawErrorPage(socket, ErrorCode.ERR_NGROK_3603, id);
    const target = await targetFor(req);
    if (served) noteWhere(served, target);
    if ('redirect' in target) return writeRawErrorPage(socket, ErrorCode.ERR_EDGE_TUNNEL_NOT_FOUND, id);
    if ('error' in target) return writeRawErrorPage(socket, target.error, id);
    const edgeType = 'tunnel' in target ? '' : '3';
    let tunnel: Tunnel | undefined;
    reportUpgradeComplete(options.events, { req, socket, tunnel: () => tunnel }, target.ids);
    if (refused(req, target)) return writeRawErrorPage(socket, ErrorCode.ERR_EDGE_IP_RESTRICTED, id);
    options.openConnections?.track(target.ids.accountId, socket, clientIpOf(req.socket));
    // Asked afresh each time: a module may have waited (a login), and agents come and go.
    const client = (): UpgradeClient => ({
      socket,
      requestId: id,
      upstreams: 'tunnel' in target ? [tunnelUpstream(target.tunnel)] : target.backend.upstreams(),
      conn: { clientAddr: clientAddrOf(req.socket), edgeType },
      onOpen: (upstream) => (tunnel = upstream.tunnel),
    });
    const connection = {
      socket,
      head,
      openUpstream: async () => (await openUpstream(client(), 'tcp'))?.socket,
      shapeAnswer: (answer: ResponseHead) => void shapeHead(modules.responseShapers, answer),
    };
    const modules = new UpgradeModuleExchange(req, connection, scheme, id, {
      endpointId: target.endpointId,
      publicEndpointId: target.ids.endpointId ?? '',
    });
    return runModules(target.modules, modules, () =>
      upgradeThroughUpstream({
        ...client(),
        req,
        head,
        scheme,
        hops,
        upstreamEdits: modules.upstreamEdits,
        responseShapers: modules.responseShapers,
        headerTimeoutMs: streamPools.upstreamHeaderTimeoutMs,
      }),
    );
  }

  // What fails here is a defect, not the client's input: it is logged, the client gets 500
  // ERR_EDGE_INTERNAL (or its connection closed when an answer had begun), and the edge carries on.
  const failed = (id: string, answer: () => void) => (err: unknown) => {
    options.logger.error('request failed', { requestId: id, err });
    answer();
  };
  return {
    request(req, res) {
      const id = requestId();
      void request(req, res, id).catch(
        failed(id, () => {
          if (res.headersSent) res.destroy();
          else sendErrorPage(res, ErrorCode.ERR_EDGE_INTERNAL, id, requestHost(req));
        }),
      );
    },
    upgrade(req, socket, head) {
      const id = requestId();
      void upgrade(req, socket, head, id).catch(
        failed(id, () => writeRawErrorPage(socket, ErrorCode.ERR_EDGE_INTERNAL, id)),
      );
    },
  };
}

/** Where a request went, for its access-log line and metrics. */
function noteWhere(served: Served, target: Target): void {
  if (!('endpointId' in target)) return;
  served.endpointId = target.endpointId;
  if ('edgeId' in target) Object.assign(served, { edgeId: target.edgeId, routeId: target.endpointId });
}

function redirectToHttps(req: http.IncomingMessage, res: http.ServerResponse, httpsPort: number): void {
  const port = httpsPort === 443 ? '' : `:${httpsPort}`;
  res.writeHead(308, { location: `https://${requestHost(req)}${port}${req.url ?? '/'}`, 'content-length': 0 });
  res.end();
}
