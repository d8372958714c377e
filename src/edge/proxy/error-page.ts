import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { errorCatalogue, type ErrorCode } from '../../errors/catalogue.ts';

/** Response header carrying the error code of a page the edge answered itself. */
export const errorCodeHeader = 'portico-error-code';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small page the edge answers with: the code, what it means, and the request id. */
export function errorPageBody(code: ErrorCode, requestId: string, detail?: string): string {
  const { message } = errorCatalogue[code];
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>${code}</title></head><body>` +
    `<h1>${escapeHtml(message)}</h1><p>${detail ? escapeHtml(detail) + '<br>' : ''}` +
    `<code>${code}</code> · request <code>${escapeHtml(requestId)}</code></p></body></html>\n`
  );
}

/** Answers `res` with the error page, unless headers already went out (then the stream is cut). */
export function sendErrorPage(res: http.ServerResponse, code: ErrorCode, requestId: string, detail?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorPageBody(code, requestId, detail);
  res.writeHead(errorCatalogue[code].status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    [errorCodeHeader]: code,
  });
  res.end(body);
}

/** The same page written raw onto a socket (upgrade requests, client errors). */
export function writeRawErrorPage(socket: Duplex, code: ErrorCode, requestId: string, detail?: string): void {
  if (!socket.writable) return void socket.destroy();
  const body = errorPageBody(code, requestId, detail);
  const { status } = errorCatalogue[code];
  socket.end(
    `HTTP/1.1 ${status} ${code}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `${errorCodeHeader}: ${code}\r\nconnection: close\r\n\r\n${body}`,
  );
}
