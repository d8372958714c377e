import http from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '../../errors/catalogue.ts';
import type { HeaderEdit } from '../pipeline/exchange.ts';
import { withEdits } from '../pipeline/respond.ts';
import type { Tunnel } from '../tunnels/tunnel.ts';
import { writeRawErrorPage } from './error-page.ts';
import { errorCodeFor } from './forward-http.ts';
import { forwardedRequestHeaders, forwardedResponseHeaders } from './headers.ts';
import { splice } from '../../splice/splice.ts';
import { asSocket } from './tunnel-socket.ts';
import { clientAddrOf } from './client-addr.ts';

export interface UpgradeExchange {
  req: http.IncomingMessage;
  /** The client's connection, taken over from the HTTP server. */
  socket: Duplex;
  /** Bytes the client sent after the request head. */
  head: Buffer;
  scheme: 'http' | 'https';
  requestId: string;
  edgeType: '' | '3';
  /** The edges the request went through, this one last (loop.ts). */
  hops: string;
  /** The modules' changes to the request the service sees. */
  upstreamEdits?: readonly HeaderEdit[];
}

/**
 * Sends an upgrade request (WebSocket) on its own tunnel stream; once the service answers
 * 101, the client connection and the stream are spliced. Any other answer is relayed as is.
 */
export function upgradeThroughTunnel(tunnel: Tunnel, ex: UpgradeExchange): void {
  const { req, socket, head } = ex;
  let stream;
  try {
    stream = asSocket(
      tunnel.openStream({
        clientAddr: clientAddrOf(req.socket),
        proto: ex.scheme,
        passthroughTls: false,
        edgeType: ex.edgeType,
      }),
    );
  } catch (err) {
    return writeRawErrorPage(socket, errorCodeFor(err), ex.requestId);
  }
  const upstream = http.request({
    createConnection: () => stream,
    method: req.method,
    path: req.url,
    headers: withEdits(forwardedRequestHeaders(req, ex.scheme, true, ex.hops), ex.upstreamEdits),
    setHost: false,
  });
  upstream.on('upgrade', (upRes, upSocket, upHead) => {
    socket.write(statusLine(upRes) + rawHeaderBlock(upRes.rawHeaders));
    if (upHead.length) socket.write(upHead);
    if (head.length) upSocket.write(head);
    splice(socket, upSocket);
  });
  upstream.on('response', (upRes) => {
    socket.write(
      statusLine(upRes) + rawHeaderBlock(forwardedResponseHeaders(upRes.rawHeaders).concat('connection', 'close')),
    );
    upRes.pipe(socket);
  });
  upstream.on('error', (err) => writeRawErrorPage(socket, errorCodeFor(err), ex.requestId));
  upstream.end();
}

/**
 * Opens a raw byte stream (proto tcp) on `tunnel` for a connection the edge answered itself
 * (the WebSocket-to-TCP converter). Undefined, with the error page written to `socket`, when
 * there is no tunnel or it cannot take a stream.
 */
export function openTcpStream(
  tunnel: Tunnel | undefined,
  ex: { req: http.IncomingMessage; socket: Duplex; requestId: string; edgeType: '' | '3' },
): Duplex | undefined {
  if (!tunnel) return void writeRawErrorPage(ex.socket, ErrorCode.ERR_EDGE_NO_BACKEND, ex.requestId);
  try {
    const origin = { clientAddr: clientAddrOf(ex.req.socket), proto: 'tcp', passthroughTls: false };
    return tunnel.openStream({ ...origin, edgeType: ex.edgeType });
  } catch (err) {
    return void writeRawErrorPage(ex.socket, errorCodeFor(err), ex.requestId);
  }
}

function statusLine(res: http.IncomingMessage): string {
  return `HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}\r\n`;
}

function rawHeaderBlock(raw: string[]): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out + '\r\n';
}
