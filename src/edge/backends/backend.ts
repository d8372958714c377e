import type net from 'node:net';
import { ErrorCode } from '../../errors/catalogue.ts';
import type { Logger } from '../../log/logger.ts';
import { sendErrorPage } from '../proxy/error-page.ts';
import type { HttpExchange, Outcome } from '../proxy/forward-http.ts';
import type { StreamPools } from '../proxy/stream-pools.ts';
import type { TunnelRegistry } from '../tunnels/registry.ts';
import type { UpstreamOptions } from './static/dial.ts';
import type { KeptConnections } from './static/kept-connections.ts';
import type { Upstream } from './upstream.ts';

export type { HttpExchange, Outcome };

export type BackendKind = 'tunnel_group' | 'failover' | 'weighted' | 'http_response' | 'static';

/** One raw public connection (TLS or TCP edge) on its way to a backend. */
export interface ConnExchange {
  socket: net.Socket;
  /** Bytes already read from the client (the ClientHello), sent first. */
  head?: Buffer;
  /** What the agent is told: "tls" or "tcp" (or "https" when a TLS edge terminates). */
  proto: 'tcp' | 'tls' | 'https';
  /** "1" TCP edge, "2" TLS edge. */
  edgeType: '1' | '2';
  passthroughTls: boolean;
  clientAddr: string;
}

/**
 * Where traffic goes. A backend either serves the exchange (even with an error page) or says
 * `unavailable` without having touched it, which is what lets failover move on.
 */
export interface Backend {
  readonly id: string;
  readonly kind: BackendKind;
  /** Nested backends (failover, weighted); empty for the others. */
  readonly children: readonly Backend[];
  forwardHttp(ex: HttpExchange): Promise<Outcome>;
  forwardConn(ex: ConnExchange): Promise<Outcome>;
  /**
   * Where an upgraded connection (WebSocket, websocket_tcp_converter) would be opened now, in
   * the order to try them: the first that opens carries it. Empty when none is available.
   */
  upstreams(): Iterable<Upstream>;
}

/** What backends are built with. */
export interface BackendDeps {
  registry: TunnelRegistry;
  streamPools: StreamPools;
  /** How static backends dial their addresses. */
  upstream: UpstreamOptions;
  /** Static backends' kept-alive connections, across snapshots. */
  keptConnections: KeptConnections;
  logger: Logger;
}

/**
 * The error a client sees when no backend could serve its request: why the last one tried
 * could not (a static backend's address unreachable: 502), else ERR_EDGE_NO_BACKEND.
 */
export function answerUnavailable(ex: HttpExchange): void {
  sendErrorPage(ex.res, ex.failure ?? ErrorCode.ERR_EDGE_NO_BACKEND, ex.requestId);
}

/** True when `backend` or any backend nested in it is of `kind`. */
export function containsKind(backend: Backend, kind: BackendKind): boolean {
  return backend.kind === kind || backend.children.some((child) => containsKind(child, kind));
}
