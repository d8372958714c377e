import type http from 'node:http';
import type { Writable } from 'node:stream';
import { ErrorCode, isPorticoError, type PorticoError } from '../../errors/catalogue.ts';
import type { ExchangeEffects } from '../pipeline/exchange.ts';
import { rawHeader } from '../pipeline/raw-headers.ts';
import { sendResponseHead, withEdits } from '../pipeline/respond.ts';
import type { Tunnel } from '../tunnels/tunnel.ts';
import { errorCodeHeader, sendErrorPage } from './error-page.ts';
import { forwardedRequestHeaders, forwardedResponseHeaders } from './headers.ts';
import type { StreamPools } from './stream-pools.ts';
import { requestHead } from './tunnel-http/request-head.ts';
import type { TunnelConnection, TunnelRequest } from './tunnel-http/tunnel-connection.ts';

/** One public HTTP request on its way to a backend. */
export interface HttpExchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  /** The public listener's scheme, announced to the agent and in X-Forwarded-Proto. */
  scheme: 'http' | 'https';
  requestId: string;
  /** "ip:port" of the client, for the proxy header. */
  clientAddr: string;
  /** The edges the request went through, this one last (loop.ts). */
  hops: string;
  /** What the route's or endpoint's modules did to the request (pipeline/exchange.ts). */
  effects?: ExchangeEffects;
  /** The tunnel the request was last sent to, once one was picked (for events). */
  tunnel?: Tunnel;
  /**
   * Why the last backend tried could not serve, when it knows (a static backend's address
   * unreachable): what the client is told when no backend can. Unset: ERR_EDGE_NO_BACKEND.
   */
  failure?: ErrorCode;
}

/**
 * `served`: the client got a response (maybe an error page). `unavailable`: nothing was sent
 * and the request is intact, so a failover backend may try the next target.
 */
export type Outcome = 'served' | 'unavailable';

/** A request without a body can be sent again; one with a body is streamed once, never buffered. */
export function isReplayable(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
}

/**
 * A failure that is the request's own, not the stream's (no headers in time, or not writable):
 * never sent again. Any other before the response began means the stream it went on was lost
 * (a kept one whose service dropped an idle connection): a request without a body goes once
 * more on a fresh stream.
 */
function isFinal(err: unknown): err is PorticoError {
  return isPorticoError(err) && (err.code === ErrorCode.ERR_NGROK_3008 || err.code === ErrorCode.ERR_EDGE_BAD_REQUEST);
}

export function errorCodeFor(err: unknown): ErrorCode {
  if (isPorticoError(err) && err.code === ErrorCode.ERR_MUX_STREAMS_EXHAUSTED) return ErrorCode.ERR_EDGE_AGENT_BUSY;
  return isFinal(err) ? err.code : ErrorCode.ERR_EDGE_AGENT_GONE;
}

/**
 * Sends the request to `tunnel` over a keep-alive tunnel stream (StreamPools) and streams the
 * response back with backpressure. A request without a body that fails before any response byte
 * is sent once more on a fresh stream (isFinal). With `mayFail`, a replayable request that the
 * tunnel could not serve (agent gone before answering, or the agent's local service refused)
 * resolves `unavailable` instead of answering, so the caller can try elsewhere.
 */
export function forwardHttpToTunnel(
  tunnel: Tunnel,
  ex: HttpExchange,
  pools: StreamPools,
  options: { edgeType: '' | '3'; mayFail: boolean },
): Promise<Outcome> {
  const { req, res } = ex;
  ex.tunnel = tunnel;
  const given = ex.effects?.body;
  const replayable = given !== undefined || isReplayable(req);
  const failover = options.mayFail && replayable;
  const method = req.method ?? 'GET';
  const body = given ?? (replayable ? null : req);
  return new Promise((resolve) => {
    const answerError = (err: unknown) => {
      const code = errorCodeFor(err);
      sendErrorPage(
        res,
        code,
        ex.requestId,
        code === ErrorCode.ERR_EDGE_BAD_REQUEST ? (err as Error).message : undefined,
      );
      resolve('served');
    };
    let request: TunnelRequest;
    try {
      const headers = withEdits(forwardedRequestHeaders(req, ex.scheme, false, ex.hops), ex.effects?.upstreamEdits);
      const { head, framing } = requestHead(
        method,
        req.url ?? '/',
        headers,
        Buffer.isBuffer(body) ? body : body ? 'stream' : 'none',
      );
      request = { method, head, framing, body };
    } catch (err) {
      // A request that cannot be written (ERR_EDGE_BAD_REQUEST): no stream is opened for it.
      return answerError(err);
    }
    let current: TunnelConnection | undefined;
    // The client went away: stop the upstream request rather than finish it for nobody.
    res.once('close', () => {
      if (!res.writableFinished) current?.abort();
    });
    const attempt = (fresh: boolean) => {
      let sink: Writable | undefined;
      let refused = false;
      let conn: TunnelConnection;
      try {
        conn = pools.connection(tunnel, ex.scheme, options.edgeType, ex.clientAddr, fresh);
      } catch (err) {
        // A session without room for another stream, or gone.
        if (failover) return resolve('unavailable');
        return answerError(err);
      }
      current = conn;
      conn.send(request, {
        head: (status, message, rawHeaders, resume) => {
          if (failover && rawHeader(rawHeaders, errorCodeHeader) === ErrorCode.ERR_EDGE_UPSTREAM_REFUSED) {
            refused = true;
            return resolve('unavailable');
          }
          sink = sendResponseHead(res, ex.effects, status, message, forwardedResponseHeaders(rawHeaders));
          sink.on('drain', resume);
          resolve('served');
        },
        data: (chunk) => refused || sink!.write(chunk),
        end: () => {
          current = undefined;
          sink?.end();
        },
        error: (err, how) => {
          current = undefined;
          if (sink) return res.destroy();
          if (refused || res.destroyed) return;
          if (!fresh && !how.responded && replayable && !isFinal(err)) return attempt(true);
          if (failover && !res.headersSent) return resolve('unavailable');
          answerError(err);
        },
      });
    };
    attempt(false);
  });
}
