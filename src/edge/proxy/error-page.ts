import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { errorCatalogue, ngrokCodeOf, type ErrorCode } from '../../errors/catalogue.ts';

/** Response header carrying the error code of a page the edge answered itself. */
export const errorCodeHeader = 'portico-error-code';

/** Response header carrying ngrok's number for the same case, where ngrok has one. */
export const ngrokErrorCodeHeader = 'ngrok-error-code';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small page the edge answers with: the code (and ngrok's), what it means, and the request id. */
export function errorPageBody(code: ErrorCode, requestId: string, detail?: string): string {
  const { message } = errorCatalogue[code];
  const ngrok = ngrokCodeOf(code);
  const codes = ngrok && ngrok !== code ? `<code>${code}</code> (<code>${ngrok}</code>)` : `<code>${code}</code>`;
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>${code}</title></head><body>` +
    `<h1>${escapeHtml(message)}</h1><p>${detail ? escapeHtml(detail) + '<br>' : ''}` +
    `${codes} · request <code>${escapeHtml(requestId)}</code></p></body></html>\n`
  );
}

/** The code headers of an error page: ours, and ngrok's where it has one. */
function codeHeaders(code: ErrorCode): Record<string, string> {
  const ngrok = ngrokCodeOf(code);
  return ngrok ? { [errorCodeHeader]: code, [ngrokErrorCodeHeader]: ngrok } : { [errorCodeHeader]: code };
}

/** Answers `res` with the error page, unless headers already went out (then the stream is cut). */
export function sendErrorPage(
  res: http.ServerResponse,
  code: ErrorCode,
  requestId: string,
  detail?: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorPageBody(code, requestId, detail);
  res.writeHead(errorCatalogue[code].status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
    ...codeHeaders(code),
  });
  res.end(body);
}

/** The same page written raw onto a socket (upgrade requests, client errors). */
export function writeRawErrorPage(
  socket: Duplex,
  code: ErrorCode,
  requestId: string,
  detail?: string,
  extra: Readonly<Record<string, string>> = {},
): void {
  if (!socket.writable) return void socket.destroy();
  const body = errorPageBody(code, requestId, detail);
  const { status } = errorCatalogue[code];
  const headers = Object.entries({ ...extra, ...codeHeaders(code) })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${code}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `${headers}connection: close\r\n\r\n${body}`,
  );
}
