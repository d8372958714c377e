import http from 'node:http';
import { ErrorCode } from '../../errors/catalogue.ts';
import { nodeErrorCode } from '../../errors/foreign.ts';
import type { Logger } from '../../log/logger.ts';
import { newRequestId } from '../../log/request-id.ts';
import type { EdgeTimeouts } from '../config.ts';
import { writeRawErrorPage } from '../proxy/error-page.ts';
import type { HttpProxy } from '../proxy/http-proxy.ts';
import type { AcmeChallenges } from '../tls/acme/challenges.ts';

/**
 * Node HTTP server options for the edge's timeouts: request headers, whole requests and idle
 * keep-alive connections (on a new connection the header clock starts at once).
 */
export function httpServerTimeouts(timeouts: EdgeTimeouts): http.ServerOptions {
  return {
    headersTimeout: timeouts.readHeader,
    requestTimeout: timeouts.request,
    keepAliveTimeout: timeouts.idle,
    // Node checks those deadlines on this interval; its default of 30 s would stretch a 10 s
    // header timeout to 40 s.
    connectionsCheckingInterval: Math.min(1000, timeouts.readHeader),
  };
}

/**
 * An HTTP/1.1 server whose requests and upgrades go to `proxy`. Used for both public ports;
 * with `acmeChallenges` (the HTTP port) it first answers ACME HTTP-01 validations.
 */
export function createProxyServer(
  proxy: HttpProxy,
  logger: Logger,
  timeouts: EdgeTimeouts,
  acmeChallenges?: AcmeChallenges,
): http.Server {
  const server = http.createServer(httpServerTimeouts(timeouts));
  server.on(
    'request',
    acmeChallenges
      ? (req: http.IncomingMessage, res: http.ServerResponse) =>
          acmeChallenges.serveHttp(req, res) || proxy.request(req, res)
      : proxy.request,
  );
  server.on('upgrade', proxy.upgrade);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    logger.debug('bad public request', { err });
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    // Node answers its own timeouts with 408 and closes; the code says which deadline it was.
    if (err.code === nodeErrorCode.httpRequestTimeout)
      return writeRawErrorPage(socket, ErrorCode.ERR_EDGE_REQUEST_TIMEOUT, newRequestId());
    writeRawErrorPage(socket, ErrorCode.ERR_EDGE_BAD_REQUEST, newRequestId(), err.code);
  });
  return server;
}
