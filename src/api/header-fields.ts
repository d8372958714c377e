/**
 * What the API accepts as an HTTP header in a configuration (an HTTP-response backend's headers,
 * the request and response header modules): a name that is an RFC 9110 token, and a value
 * without control characters (tab aside), which no header can carry. Text beyond ASCII is
 * accepted and sent as its UTF-8 bytes.
 */
import { ErrorCode } from '../errors/catalogue.ts';
import { framingHeaderProblem } from '../config/modules/framing-headers.ts';
import { isToken } from '../http1/token.ts';
import { invalid } from './errors.ts';

const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** `name`, refused with ERR_NGROK_215 naming `field` unless it is a header name. */
export function checkHeaderName(name: string, field: string): string {
  if (!isToken(name)) throw invalid(ErrorCode.ERR_NGROK_215, field, `"${name}" is not a valid HTTP header name`);
  return name;
}

/**
 * `name`, refused with ERR_NGROK_215 naming `field` unless it is a header name that a
 * configuration may `edit` (add or remove): never one that frames the message (framing-headers.ts).
 */
export function checkEditableHeaderName(name: string, field: string, edit: 'add' | 'remove'): string {
  checkHeaderName(name, field);
  const problem = framingHeaderProblem(name, edit);
  if (problem) throw invalid(ErrorCode.ERR_NGROK_215, field, problem);
  return name;
}

/** `value`, refused with ERR_NGROK_215 naming `field` when it holds a control character. */
export function checkHeaderValue(value: string, field: string): string {
  if (CONTROL.test(value))
    throw invalid(ErrorCode.ERR_NGROK_215, field, 'a header value may not contain control characters (CR, LF, NUL, …)');
  return value;
}
