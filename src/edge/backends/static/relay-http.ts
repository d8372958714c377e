import http from 'node:http';
import type net from 'node:net';
import { ErrorCode } from '../../../errors/catalogue.ts';
import { sendResponseHead, withEdits } from '../../pipeline/respond.ts';
import { sendErrorPage } from '../../proxy/error-page.ts';
import { isReplayable, type HttpExchange, type Outcome } from '../../proxy/forward-http.ts';
import { forwardedRequestHeaders, forwardedResponseHeaders } from '../../proxy/headers.ts';
import { timedOut, waitForHeaders } from '../../proxy/header-timeout.ts';
import { dialedBy } from './dial.ts';

/** Where relayHttp sends a request: over the backend's kept connections, or on a connection dialed for it alone. */
export type RelayVia = { agent: http.Agent } | { dial: () => Promise<net.Socket> };

/**
 * What came of it besides an answer: `stale`, a kept connection closed before any answer to a
 * request that may go again (the service dropped it as it went out); `unreachable`, no
 * connection could be made. The client was sent nothing in either case, and its body is unread.
 */
export type Relayed = Outcome | 'stale' | { unreachable: Error };

/**
 * Sends the request to a static backend's address and streams the response back. The client's
 * Host goes as is (the route's request_headers module may change it), with X-Forwarded-* and
 * the edge hops (proxy/loop.ts) added. The client's body is read only once a connection is
 * there. Response headers must come within `headerTimeoutMs` of the request being written (504
 * ERR_NGROK_3008); a connection lost before them answers 502.
 */
export function relayHttp(via: RelayVia, ex: HttpExchange, headerTimeoutMs: number): Promise<Relayed> {
  const { req, res } = ex;
  return new Promise((resolve) => {
    const upstream = http.request({
      ...('agent' in via ? { agent: via.agent } : { createConnection: dialedBy(via.dial) }),
      method: req.method,
      path: req.url,
      headers: withEdits(forwardedRequestHeaders(req, ex.scheme, false, ex.hops), ex.effects?.upstreamEdits),
      setHost: false,
    });
    let connected = false;
    let answered = false;
    // The client went away: stop the upstream request rather than finish it for nobody.
    const onClientClose = () => {
      if (!res.writableFinished) upstream.destroy();
    };
    res.once('close', onClientClose);
    const stopWaiting = waitForHeaders(upstream, headerTimeoutMs);
    const body = ex.effects?.body;
    const again = body !== undefined || isReplayable(req);
    upstream.once('socket', () => {
      connected = true;
      if (body !== undefined) upstream.end(body);
      else if (isReplayable(req)) upstream.end();
      else req.pipe(upstream);
    });
    upstream.on('response', (upRes) => {
      answered = true;
      stopWaiting();
      const head = forwardedResponseHeaders(upRes.rawHeaders);
      upRes.pipe(sendResponseHead(res, ex.effects, upRes.statusCode ?? 502, upRes.statusMessage, head));
      upRes.on('error', () => res.destroy());
      resolve('served');
    });
    upstream.on('error', (err) => {
      stopWaiting();
      // The client left: there is nobody to answer.
      if (res.destroyed) return resolve('served');
      if (!connected || (upstream.reusedSocket && again && !answered && !timedOut(err))) {
        res.off('close', onClientClose);
        return resolve(connected ? 'stale' : { unreachable: err });
      }
      const code = timedOut(err) ? ErrorCode.ERR_NGROK_3008 : ErrorCode.ERR_EDGE_UPSTREAM_REFUSED;
      sendErrorPage(res, code, ex.requestId, timedOut(err) ? undefined : 'the connection closed before a response');
      resolve('served');
    });
  });
}
