import http from 'node:http';
import type net from 'node:net';
import { pipeline, type Duplex } from 'node:stream';
import { ErrorCode, isPorticoError } from '../../errors/catalogue.ts';
import type { Upstream, UpstreamConn } from '../backends/upstream.ts';
import type { HeaderEdit, ResponseShaper } from '../pipeline/exchange.ts';
import { shapeHead, withEdits } from '../pipeline/respond.ts';
import { noteRawAnswer, rawHeaderBlock, writeRawErrorPage } from './error-page.ts';
import { timedOut, waitForHeaders } from './header-timeout.ts';
import { forwardedRequestHeaders, forwardedResponseHeaders } from './headers.ts';
import { splice } from '../../splice/splice.ts';

/** The client's side of an upgraded connection, and where its upstream connection would come from. */
export interface UpgradeClient {
  /** The client's connection, taken over from the HTTP server. */
  socket: Duplex;
  requestId: string;
  /** Where the connection may be opened, in the order to try them (Backend.upstreams()). */
  upstreams: Iterable<Upstream>;
  conn: Omit<UpstreamConn, 'proto'>;
  /** Told which upstream took the connection (events name its tunnel). Optional. */
  onOpen?(upstream: Upstream): void;
}

export interface UpgradeExchange extends UpgradeClient {
  req: http.IncomingMessage;
  /** Bytes the client sent after the request head. */
  head: Buffer;
  scheme: 'http' | 'https';
  /** The edges the request went through, this one last (loop.ts). */
  hops: string;
  /** The modules' changes to the request the service sees. */
  upstreamEdits?: readonly HeaderEdit[];
  /** The modules' shapers of the service's answer (response headers, compression of a refusal's body). */
  responseShapers?: readonly ResponseShaper[];
  /** Milliseconds the service has to answer the upgrade request (--upstream-header-timeout); 0: no limit. */
  headerTimeoutMs: number;
}

/**
 * Opens a connection carrying `proto` on the first upstream that takes one (a failover's dead
 * static address is passed over for its next child). Undefined, with the error page written to
 * the client, when none could: the last one's reason (502 ERR_NGROK_8012 for an unreachable
 * address), or 503 ERR_EDGE_NO_BACKEND when there was none to try.
 */
export async function openUpstream(
  client: UpgradeClient,
  proto: UpstreamConn['proto'],
): Promise<{ socket: net.Socket; upstream: Upstream } | undefined> {
  let failure: ErrorCode = ErrorCode.ERR_EDGE_NO_BACKEND;
  for (const upstream of client.upstreams) {
    if (client.socket.destroyed) return undefined;
    try {
      const socket = await upstream.open({ ...client.conn, proto });
      // The client left while the address was dialed.
      if (client.socket.destroyed) return void socket.destroy();
      client.onOpen?.(upstream);
      return { socket, upstream };
    } catch (err) {
      failure = isPorticoError(err) ? err.code : upstream.lostCode;
    }
  }
  writeRawErrorPage(client.socket, failure, client.requestId);
  return undefined;
}

/**
 * Sends an upgrade request (WebSocket) on a connection of its own to the first upstream that
 * opens one; once the service answers 101, the client connection and the upstream one are
 * spliced. Any other answer is relayed as is.
 */
export async function upgradeThroughUpstream(ex: UpgradeExchange): Promise<void> {
  const { req, socket, head } = ex;
  const opened = await openUpstream(ex, ex.scheme);
  if (!opened) return;
  let answered = false;
  const upstream = http.request({
    createConnection: () => opened.socket,
    method: req.method,
    path: req.url,
    headers: withEdits(forwardedRequestHeaders(req, ex.scheme, true, ex.hops), ex.upstreamEdits),
    setHost: false,
  });
  // The client went away before the service answered: nobody is waiting for the upgrade.
  socket.once('close', () => {
    if (!answered) upstream.destroy();
  });
  const stopWaiting = waitForHeaders(upstream, ex.headerTimeoutMs);
  upstream.on('upgrade', (upRes, upSocket, upHead) => {
    answered = true;
    stopWaiting();
    // A 101 has no body: shapers only change its headers (compression leaves 1xx alone).
    const answer = { status: upRes.statusCode ?? 101, headers: upRes.rawHeaders };
    shapeHead(ex.responseShapers, answer);
    noteRawAnswer(socket, answer.status, answer.headers);
    socket.write(statusLine(upRes, answer.status) + rawHeaderBlock(answer.headers), 'latin1');
    if (upHead.length) socket.write(upHead);
    if (head.length) upSocket.write(head);
    splice(socket, upSocket);
  });
  upstream.on('response', (upRes) => {
    answered = true;
    stopWaiting();
    const answer = { status: upRes.statusCode ?? 502, headers: forwardedResponseHeaders(upRes.rawHeaders) };
    const transforms = shapeHead(ex.responseShapers, answer);
    const headers = answer.headers.concat('connection', 'close');
    noteRawAnswer(socket, answer.status, headers);
    socket.write(statusLine(upRes, answer.status) + rawHeaderBlock(headers), 'latin1');
    if (transforms.length === 0) return void upRes.pipe(socket);
    pipeline([upRes, ...transforms, socket], (err) => {
      if (err) socket.destroy();
    });
  });
  upstream.on('error', (err) => {
    stopWaiting();
    if (answered) return void socket.destroy();
    writeRawErrorPage(socket, timedOut(err) ? ErrorCode.ERR_NGROK_3008 : opened.upstream.lostCode, ex.requestId);
  });
  upstream.end();
}

/** The status line of `status`, with the service's reason phrase while the modules kept its status. */
function statusLine(res: http.IncomingMessage, status: number): string {
  const reason = status === res.statusCode ? (res.statusMessage ?? '') : (http.STATUS_CODES[status] ?? '');
  return `HTTP/1.1 ${status} ${reason}\r\n`;
}
