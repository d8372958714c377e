/**
 * Requests refused before any route runs: by Fastify's router (a path that does not decode, a
 * path segment over 100 characters) or by Node's HTTP parser (headers over 16 KiB, bytes that
 * are not HTTP/1.1). They get the API's envelope with a catalogued code, like every other error.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import { apiErrorOf, errorBody, type ApiError } from './errors.ts';

/** The error for what Fastify's router refused (its `frameworkErrors` hook). */
export function refuseUnroutable(err: { code?: string }): ApiError {
  return apiErrorOf(
    new PorticoError(
      err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? ErrorCode.ERR_API_URI_TOO_LONG : ErrorCode.ERR_API_BAD_URL,
    ),
  );
}

/** Parser errors of Node's HTTP server and their codes; anything else is a malformed request. */
const parserCodes: Record<string, ErrorCode> = {
  HPE_HEADER_OVERFLOW: ErrorCode.ERR_API_HEADERS_TOO_LARGE,
  ERR_HTTP_REQUEST_TIMEOUT: ErrorCode.ERR_API_REQUEST_TIMEOUT,
};

/** Answers a request Node's HTTP parser refused (Fastify's `clientErrorHandler`), then closes. */
export function refuseBadRequest(err: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error = apiErrorOf(new PorticoError(parserCodes[err.code ?? ''] ?? ErrorCode.ERR_API_MALFORMED_REQUEST));
  const body = JSON.stringify(errorBody(error));
  if (socket.writable) {
    const head = [
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
    ];
    socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
  }
  socket.destroy();
}
