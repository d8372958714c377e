/**
 * Proxy streams (type 3): read the proxy header, dial the listener's local service and copy bytes
 * both ways with backpressure and half-close. Never throws: a failed stream is logged and dropped.
 */
import { isIP, connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log/logger.ts';
import type { ProxyHeader } from '../protocol/messages.ts';
import { readProxyHeader } from '../protocol/proxy-header.ts';
import type { MuxStream } from '../protocol/stream.ts';
import { splice } from '../splice/splice.ts';
import { upstreamTarget } from './addr.ts';
import { badGatewayResponse } from './bad-gateway.ts';
import type { UpstreamTarget } from './addr.ts';
import type { Listener } from './listener.ts';
import { terminateAgentTls, terminatesHttp } from './terminate-tls.ts';
import type { AgentTraffic } from './traffic/traffic.ts';

export interface ForwarderContext {
  /** The live listener with this id, if any. */
  lookup(id: string): Listener | undefined;
  logger: Logger;
  /** Milliseconds to wait for the local service to accept. Default 10 000. */
  dialTimeoutMs?: number;
  /**
   * `host:port` -> the IP that last answered. Dialling that IP skips a DNS lookup and, for
   * `localhost`, a refused ::1 attempt on every stream. Optional.
   */
  resolved?: Map<string, string>;
  /** Called with every chunk the edge relays on a proxy stream, before any decryption. Optional. */
  tap?: (tunnelId: string, chunk: Buffer) => void;
  /** Counts every proxied connection and observes HTTP ones (status screen, request log). Optional. */
  traffic?: AgentTraffic;
}

export async function forwardProxyStream(stream: MuxStream, ctx: ForwarderContext): Promise<void> {
  let header: ProxyHeader;
  try {
    header = await readProxyHeader(stream);
  } catch (err) {
    ctx.logger.warn('bad proxy header', { stream: stream.id, err });
    stream.destroy();
    return;
  }
  const listener = ctx.lookup(header.Id);
  if (!listener || listener.closed) {
    ctx.logger.debug('proxy stream for an unknown tunnel', { id: header.Id });
    stream.destroy();
    return;
  }
  const log = ctx.logger.child({ id: header.Id, client: header.ClientAddr });
  // Zero-knowledge TLS: the handshake runs while the upstream is dialled.
  const client: Duplex = listener.tlsContext
    ? terminateAgentTls(stream, listener.tlsContext, terminatesHttp(listener.spec), log)
    : stream;
  if (listener.tlsContext) tap(stream, header.Id, ctx);
  const http = listener.tlsContext ? terminatesHttp(listener.spec) : isHttp(header, listener);
  const observed = ctx.traffic?.connection(
    { tunnel: listener.name ?? listener.url, clientAddr: header.ClientAddr, capture: listener.spec.inspect !== false },
    client,
  );
  let upstream: Socket;
  try {
    upstream = await dialCached(upstreamTarget(listener.forwardsTo), listener.spec.verifyUpstreamTls ?? true, ctx);
  } catch (err) {
    log.warn('cannot reach upstream', { addr: listener.forwardsTo, err });
    refuse(client, http, listener.forwardsTo, err as Error);
    return;
  }
  log.debug('forwarding', { addr: listener.forwardsTo });
  splice(client, upstream);
  if (!listener.tlsContext) tap(stream, header.Id, ctx);
  // Listens only: the bytes keep flowing through the splice whatever the tap makes of them.
  observed?.attach(upstream, http);
}

/** Shows ctx.tap every chunk of `stream`; call once its consumer is attached, or bytes flow away. */
function tap(stream: MuxStream, id: string, ctx: ForwarderContext): void {
  const hook = ctx.tap;
  if (hook) stream.on('data', (chunk: Buffer) => hook(id, chunk));
}

async function dialCached(target: UpstreamTarget, verify: boolean, ctx: ForwarderContext): Promise<Socket> {
  const key = `${target.host}:${target.port}`;
  const timeoutMs = ctx.dialTimeoutMs ?? 10_000;
  const cached = ctx.resolved?.get(key);
  if (cached) {
    try {
      return await dialUpstream(target, { address: cached, verify, timeoutMs });
    } catch {
      // The service may have moved (e.g. to another address family); look the name up again.
      ctx.resolved?.delete(key);
    }
  }
  const socket = await dialUpstream(target, { verify, timeoutMs });
  if (socket.remoteAddress) ctx.resolved?.set(key, socket.remoteAddress);
  return socket;
}

export interface DialUpstreamOptions {
  /** An IP to dial instead of looking up `target.host` (which stays the TLS server name). */
  address?: string;
  /** Verify a TLS upstream's certificate. */
  verify: boolean;
  /** Milliseconds to wait for the connection (and TLS handshake). */
  timeoutMs: number;
}

/** Connects to the local service; `tls` upstreams are verified unless `verify` is false. */
export function dialUpstream(target: UpstreamTarget, o: DialUpstreamOptions): Promise<Socket> {
  const host = o.address ?? target.host;
  const timeoutMs = o.timeoutMs;
  return new Promise((resolve, reject) => {
    const socket: Socket = target.tls
      ? tlsConnect({
          host,
          port: target.port,
          servername: isIP(target.host) ? '' : target.host,
          rejectUnauthorized: o.verify,
        })
      : netConnect({ host, port: target.port, allowHalfOpen: true });
    const ready = target.tls ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => socket.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once('error', fail);
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/** Upstream refused: a 502 page for HTTP tunnels (code ERR_EDGE_UPSTREAM_REFUSED), a bare close otherwise. */
function refuse(stream: Duplex, http: boolean, addr: string, err: Error): void {
  stream.resume();
  if (!http) {
    stream.destroy();
    return;
  }
  stream.end(badGatewayResponse(addr, err));
}

/** Whether the stream carries HTTP: as the header says (an HTTPS edge's WebSocket-to-TCP converter sends raw "tcp"), else by the edge type or the listener. */
function isHttp(header: ProxyHeader, listener: Listener): boolean {
  if (header.Proto) return ['http', 'https'].includes(header.Proto.toLowerCase());
  const proto = listener.proto.toLowerCase();
  return proto === 'http' || proto === 'https' || header.EdgeType === '3';
}
