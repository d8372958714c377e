import http from 'node:http';
import type net from 'node:net';
import { ErrorCode } from '../../../errors/catalogue.ts';
import { sendResponseHead, withEdits } from '../../pipeline/respond.ts';
import { sendErrorPage } from '../../proxy/error-page.ts';
import { isReplayable, type HttpExchange, type Outcome } from '../../proxy/forward-http.ts';
import { forwardedRequestHeaders, forwardedResponseHeaders } from '../../proxy/headers.ts';
import { timedOut, waitForHeaders } from '../../proxy/header-timeout.ts';

/**
 * Sends the request on `socket`, already connected to a static backend's address, and
 * streams the response back; one connection per request. The client's Host goes as is (the
 * route's request_headers module may change it), with X-Forwarded-* and the edge hops
 * (proxy/loop.ts) added. Response headers must come within `headerTimeoutMs` of the request
 * being written (504 ERR_NGROK_3008); a connection lost before them answers 502.
 */
export function relayHttp(socket: net.Socket, ex: HttpExchange, headerTimeoutMs: number): Promise<Outcome> {
  const { req, res } = ex;
  return new Promise((resolve) => {
    const upstream = http.request({
      createConnection: () => socket,
      method: req.method,
      path: req.url,
      headers: withEdits(forwardedRequestHeaders(req, ex.scheme, false, ex.hops), ex.effects?.upstreamEdits),
      setHost: false,
    });
    // The client went away: stop the upstream request rather than finish it for nobody.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    const stopWaiting = waitForHeaders(upstream, headerTimeoutMs);
    upstream.on('response', (upRes) => {
      stopWaiting();
      const head = forwardedResponseHeaders(upRes.rawHeaders);
      upRes.pipe(sendResponseHead(res, ex.effects, upRes.statusCode ?? 502, upRes.statusMessage, head));
      upRes.on('error', () => res.destroy());
      resolve('served');
    });
    upstream.on('error', (err) => {
      stopWaiting();
      const code = timedOut(err) ? ErrorCode.ERR_NGROK_3008 : ErrorCode.ERR_EDGE_UPSTREAM_REFUSED;
      sendErrorPage(res, code, ex.requestId, timedOut(err) ? undefined : 'the connection closed before a response');
      resolve('served');
    });
    const body = ex.effects?.body;
    if (body !== undefined) upstream.end(body);
    else if (isReplayable(req)) upstream.end();
    else req.pipe(upstream);
  });
}
