import http from 'node:http';
import { ErrorCode, isPorticoError, PorticoError } from '../../errors/catalogue.ts';
import type { ExchangeEffects } from '../pipeline/exchange.ts';
import { sendResponseHead, withEdits } from '../pipeline/respond.ts';
import type { Tunnel } from '../tunnels/tunnel.ts';
import { errorCodeHeader, sendErrorPage } from './error-page.ts';
import { forwardedRequestHeaders, forwardedResponseHeaders } from './headers.ts';
import type { StreamPools } from './stream-pools.ts';

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

export function errorCodeFor(err: unknown): ErrorCode {
  if (isPorticoError(err) && err.code === ErrorCode.ERR_MUX_STREAMS_EXHAUSTED) return ErrorCode.ERR_EDGE_AGENT_BUSY;
  if (isPorticoError(err) && err.code === ErrorCode.ERR_NGROK_3008) return err.code;
  return ErrorCode.ERR_EDGE_AGENT_GONE;
}

/**
 * Sends the request to `tunnel` with Node's HTTP client over a keep-alive tunnel stream and
 * streams the response back. A request that fails on a reused stream before any response
 * byte is sent once more on a fresh stream, if its body is untouched: the agent may have
 * closed that stream as the request went out. With `mayFail`, a replayable request that the
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
  const body = ex.effects?.body;
  const replayable = body !== undefined || isReplayable(req);
  const failover = options.mayFail && replayable;
  return new Promise((resolve) => {
    let current: http.ClientRequest | undefined;
    // The client went away: stop the upstream request rather than finish it for nobody.
    res.once('close', () => {
      if (!res.writableFinished) current?.destroy();
    });
    const attempt = (retried: boolean) => {
      const upstream = (current = http.request({
        agent: pools.for(tunnel, ex.scheme, options.edgeType),
        method: req.method,
        path: req.url,
        headers: withEdits(forwardedRequestHeaders(req, ex.scheme, false, ex.hops), ex.effects?.upstreamEdits),
        setHost: false,
        clientAddr: ex.clientAddr,
      } as http.RequestOptions));
      const stopWaiting = waitForHeaders(upstream, pools.upstreamHeaderTimeoutMs);
      upstream.on('response', (upRes) => {
        stopWaiting();
        if (failover && upRes.headers[errorCodeHeader] === ErrorCode.ERR_EDGE_UPSTREAM_REFUSED) {
          upRes.resume();
          return resolve('unavailable');
        }
        upRes.pipe(
          sendResponseHead(
            res,
            ex.effects,
            upRes.statusCode ?? 502,
            upRes.statusMessage,
            forwardedResponseHeaders(upRes.rawHeaders),
          ),
        );
        upRes.on('error', () => res.destroy());
        resolve('served');
      });
      upstream.on('error', (err) => {
        stopWaiting();
        if (
          !retried &&
          upstream.reusedSocket &&
          !timedOut(err) &&
          (replayable || !req.readableDidRead) &&
          !res.destroyed
        ) {
          // The stream was stale: every idle stream of this tunnel is suspect, so start afresh.
          if (!replayable) req.unpipe(upstream);
          pools.dropIdle(tunnel);
          return attempt(true);
        }
        if (failover && !res.headersSent) return resolve('unavailable');
        sendErrorPage(res, errorCodeFor(err), ex.requestId);
        resolve('served');
      });
      if (body !== undefined) upstream.end(body);
      else if (replayable) upstream.end();
      else req.pipe(upstream);
    };
    attempt(false);
  });
}

/** True for the error waitForHeaders fails a request with. */
export function timedOut(err: unknown): boolean {
  return isPorticoError(err) && err.code === ErrorCode.ERR_NGROK_3008;
}

/**
 * Fails `upstream` with ERR_NGROK_3008 when its response headers have not arrived
 * `timeoutMs` after the request was written in full (an upload is not timed). Returns the
 * function that stops the clock.
 */
export function waitForHeaders(upstream: http.ClientRequest, timeoutMs: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  if (timeoutMs > 0) {
    upstream.once('finish', () => {
      timer = setTimeout(
        () => upstream.destroy(new PorticoError(ErrorCode.ERR_NGROK_3008, `${timeoutMs / 1000} s`)),
        timeoutMs,
      );
    });
  }
  return () => clearTimeout(timer);
}
