import type http from 'node:http';
import { PassThrough, type Writable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { ErrorCode, isPorticoError } from '../../errors/catalogue.ts';
import type { ExchangeEffects } from '../pipeline/exchange.ts';
import { rawHeader } from '../pipeline/raw-headers.ts';
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
  const code = (err as { code?: string }).code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return ErrorCode.ERR_NGROK_3008;
  // A request the client library will not write (`OPTIONS *`: the target must be a path).
  if (code === 'UND_ERR_INVALID_ARG') return ErrorCode.ERR_EDGE_BAD_REQUEST;
  return ErrorCode.ERR_EDGE_AGENT_GONE;
}

/**
 * Whether a request that failed before its response began may go once more on a fresh stream:
 * the kept stream it was written on had closed as it went out (the agent's service dropped an
 * idle connection). Not when the stream could not be opened at all (the session is full or
 * gone: PorticoError from the connector), when the headers timed out, or when the client left.
 */
function mayRetry(err: unknown): boolean {
  if (isPorticoError(err) && err.code !== ErrorCode.ERR_MUX_STREAM_RESET) return false;
  const code = (err as { code?: string }).code;
  return code !== 'UND_ERR_HEADERS_TIMEOUT' && code !== 'UND_ERR_ABORTED' && code !== 'UND_ERR_INVALID_ARG';
}

/**
 * Sends the request to `tunnel` over a keep-alive tunnel stream (StreamPools) and streams the
 * response back with backpressure. A request without a body that fails before any response
 * byte is sent once more on a fresh stream (mayRetry). With `mayFail`, a replayable request
 * that the tunnel could not serve (agent gone before answering, or the agent's local service
 * refused) resolves `unavailable` instead of answering, so the caller can try elsewhere.
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
  const headers = withEdits(forwardedRequestHeaders(req, ex.scheme, false, ex.hops), ex.effects?.upstreamEdits);
  const request: Dispatcher.DispatchOptions = {
    method: req.method as Dispatcher.HttpMethod,
    path: req.url ?? '/',
    headers: headers as Dispatcher.DispatchOptions['headers'],
    // Not the request itself: undici destroys a body it gives up on, and the client's request
    // must stay whole for the error page the client is then owed.
    body: given ?? (replayable ? null : req.pipe(new PassThrough())),
  };
  return new Promise((resolve) => {
    let abort: ((err?: Error) => void) | undefined;
    // The client went away: stop the upstream request rather than finish it for nobody.
    res.once('close', () => {
      if (!res.writableFinished) abort?.();
    });
    const attempt = (via: Dispatcher, retried: boolean) => {
      let body: Writable | undefined;
      let refused = false;
      via.dispatch(request, {
        onConnect: (stop: (err?: Error) => void) => (abort = stop),
        onHeaders: (status: number, raw: Buffer[], resume: () => void, message: string) => {
          // 1xx (103 Early Hints): the final response follows.
          if (status < 200) return true;
          const rawHeaders = raw.map((b) => b.toString('latin1'));
          if (failover && rawHeader(rawHeaders, errorCodeHeader) === ErrorCode.ERR_EDGE_UPSTREAM_REFUSED) {
            refused = true;
            resolve('unavailable');
            return true;
          }
          body = sendResponseHead(res, ex.effects, status, message, forwardedResponseHeaders(rawHeaders));
          body.on('drain', resume);
          resolve('served');
          return true;
        },
        onData: (chunk: Buffer) => refused || body!.write(chunk),
        onComplete: () => body?.end(),
        onError: (err: Error) => {
          if (body) return res.destroy();
          if (refused) return;
          if (!retried && replayable && mayRetry(err) && !res.destroyed)
            return attempt(pools.fresh(tunnel, ex.scheme, options.edgeType, ex.clientAddr), true);
          if (failover && !res.headersSent) return resolve('unavailable');
          const code = errorCodeFor(err);
          sendErrorPage(res, code, ex.requestId, code === ErrorCode.ERR_EDGE_BAD_REQUEST ? err.message : undefined);
          resolve('served');
        },
      } as Dispatcher.DispatchHandler);
    };
    attempt(pools.for(tunnel, ex.scheme, options.edgeType, ex.clientAddr), false);
  });
}
