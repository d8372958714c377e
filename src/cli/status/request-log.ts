/** One log line per HTTP request that went through a tunnel, in the logger's format (text or JSON). */
import type { AgentTraffic, HttpRequestRecord } from '../../agent/traffic/traffic.ts';
import type { Fields, Logger } from '../../log/logger.ts';

/** The message of every request line. */
export const requestLogMessage = 'http request';

/** Logs every request `traffic` reports until the returned function is called. */
export function logRequests(traffic: AgentTraffic, logger: Logger): () => void {
  const write = (r: HttpRequestRecord) => logger.info(requestLogMessage, requestFields(r));
  traffic.on('request', write);
  return () => traffic.off('request', write);
}

/**
 * The fields of one request line: `tunnel`, `method`, `path`, `status` (absent when no response
 * came), `duration_ms` (one decimal), `bytes` (response body), `req_bytes` (request body),
 * `client` (the public client's ip:port) and, when the connection closed early, `error`.
 */
export function requestFields(r: HttpRequestRecord): Fields {
  const fields: Fields = { tunnel: r.tunnel, method: r.method, path: r.path };
  if (r.status !== undefined) fields.status = r.status;
  fields.duration_ms = Math.round(r.durationMs * 10) / 10;
  fields.bytes = r.responseBytes;
  fields.req_bytes = r.requestBytes;
  fields.client = r.clientAddr;
  if (r.error) fields.error = r.error;
  return fields;
}
