import type http from 'node:http';
import { ErrorCode, PorticoError } from '../../../errors/catalogue.ts';
import { isToken } from '../../../http1/token.ts';

/** What no header value may carry on the wire: CR, LF, NUL. */
const breaksLine = /[\r\n\0]/;
/** A request target in origin form: a path (and query), nothing that breaks the line. */
const originForm = /^\/[^\s\0]*$/;

/** How the request body goes after the head. */
export type BodyFraming = 'none' | 'length' | 'chunked';

/**
 * The request head as it goes to the agent (Latin-1: one character per byte, as Node's server
 * gave the client's headers), and how its body is framed: with the length the client gave, or
 * chunked when it gave none (its body came chunked). A target that is not a path (`OPTIONS *`,
 * absolute form) or a header that cannot be written is refused with ERR_EDGE_BAD_REQUEST.
 */
export function requestHead(
  method: string,
  target: string,
  headers: http.OutgoingHttpHeaders,
  body: 'none' | 'stream' | Buffer,
): { head: string; framing: BodyFraming } {
  if (!originForm.test(target))
    throw new PorticoError(ErrorCode.ERR_EDGE_BAD_REQUEST, 'the request target must be a path');
  let framing: BodyFraming = 'none';
  if (Buffer.isBuffer(body)) {
    headers['content-length'] = String(body.length);
    framing = 'length';
  } else if (body === 'stream') {
    framing = headers['content-length'] === undefined ? 'chunked' : 'length';
    if (framing === 'chunked') headers['transfer-encoding'] = 'chunked';
  }
  let head = `${method} ${target} HTTP/1.1\r\n`;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (!isToken(name)) throw new PorticoError(ErrorCode.ERR_EDGE_BAD_REQUEST, `invalid header name "${name}"`);
    if (Array.isArray(value)) for (const v of value) head += line(name, v);
    else head += line(name, String(value));
  }
  return { head: head + '\r\n', framing };
}

function line(name: string, value: string): string {
  if (breaksLine.test(value))
    throw new PorticoError(ErrorCode.ERR_EDGE_BAD_REQUEST, `invalid value for header "${name}"`);
  return `${name}: ${value}\r\n`;
}
