import http from 'node:http';
import type { Logger } from '../../log/logger.ts';
import { writeRawErrorPage } from '../proxy/error-page.ts';
import type { HttpProxy } from '../proxy/http-proxy.ts';
import type { AcmeChallenges } from '../tls/acme/challenges.ts';

/**
 * An HTTP/1.1 server whose requests and upgrades go to `proxy`. Used for both public ports;
 * with `acmeChallenges` (the HTTP port) it first answers ACME HTTP-01 validations.
 */
export function createProxyServer(proxy: HttpProxy, logger: Logger, acmeChallenges?: AcmeChallenges): http.Server {
  const server = http.createServer({ requestTimeout: 0, keepAliveTimeout: 30_000 });
  server.on('request', acmeChallenges ? (req: http.IncomingMessage, res: http.ServerResponse) => acmeChallenges.serveHttp(req, res) || proxy.request(req, res) : proxy.request);
  server.on('upgrade', proxy.upgrade);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    logger.debug('bad public request', { err });
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    writeRawErrorPage(socket, 'ERR_EDGE_BAD_REQUEST', 'none', err.code);
  });
  return server;
}
