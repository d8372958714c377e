import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { AnswerHeaders } from '../pipeline/exchange.ts';
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
  headers: AnswerHeaders = {},
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
  extra: AnswerHeaders = {},
): void {
  const body = errorPageBody(code, requestId, detail);
  writeRawAnswer(socket, errorCatalogue[code].status, { ...extra, ...codeHeaders(code) }, body, code);
}

/** Answers `res` with a small response of the edge's own (a redirect); cut if headers already went out. */
export function sendAnswer(res: http.ServerResponse, status: number, headers: AnswerHeaders, body: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...(headers as http.OutgoingHttpHeaders),
  });
  res.end(body);
}

/** The answer written raw on a socket: its status, its header lines (`[name, value, …]`) and when. */
export interface RawAnswer {
  status: number;
  rawHeaders: readonly string[];
  at: number;
}

/**
 * The answer written raw on a socket (an upgrade request's: an error page, the service's 101 or
 * its refusal), for the access log, metrics and events of upgrades (observe.ts, events).
 */
const rawAnswers = new WeakMap<Duplex, RawAnswer>();

export function noteRawAnswer(socket: Duplex, status: number, rawHeaders: readonly string[]): void {
  if (!rawAnswers.has(socket)) rawAnswers.set(socket, { status, rawHeaders, at: performance.now() });
}

export function rawAnswerOf(socket: Duplex): RawAnswer | undefined {
  return rawAnswers.get(socket);
}

/** The same written raw onto a socket, which is then closed (upgrade requests, client errors). */
export function writeRawAnswer(
  socket: Duplex,
  status: number,
  headers: AnswerHeaders,
  body: string,
  reason = String(status),
): void {
  if (!socket.writable) return void socket.destroy();
  const raw = [
    'content-type',
    'text/html; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(body)),
    ...Object.entries(headers).flatMap(([name, value]) =>
      (typeof value === 'string' ? [value] : value).flatMap((v) => [name, v]),
    ),
    'connection',
    'close',
  ];
  noteRawAnswer(socket, status, raw);
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${rawHeaderBlock(raw)}${body}`);
}

/** Header lines for `[name, value, …]`, with the blank line that ends a head. */
export function rawHeaderBlock(raw: readonly string[]): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out + '\r\n';
}
