import type { Logger } from '../../log/logger.ts';
import type { RequestObserver } from './observe.ts';

/**
 * One access-log line per public HTTP request, at info level, with the request id its error
 * page (if any) showed. `logger` is the `access` component's, so `--log-level access=off`
 * (or `--no-access-log`) silences it.
 */
export function accessLog(logger: Logger): RequestObserver {
  return {
    requestDone: (r) =>
      logger.info('request', {
        requestId: r.requestId,
        method: r.method,
        host: r.host,
        path: r.path,
        scheme: r.scheme,
        status: r.status,
        durationMs: r.durationMs,
        bytesIn: r.bytesIn,
        bytesOut: r.bytesOut,
        client: r.clientAddr,
        edgeId: r.edgeId,
        routeId: r.routeId,
        endpointId: r.endpointId,
      }),
  };
}
