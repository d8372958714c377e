import { isErrorCode, isNgrokCode, PorticoError } from '../errors/catalogue.ts';
import type { ErrorCode } from '../errors/catalogue.ts';

/**
 * An error reply from the edge (`{"Error":"message\nERR_CODE"}`), surfaced to the user with the
 * edge's own text and code. `code` is the edge's code when it is in our catalogue, else `fallback`.
 */
export class EdgeRpcError extends PorticoError {
  /** The code line the edge sent ("" when it sent none), even one outside our catalogue. */
  readonly edgeCode: string;
  /** The edge's message without its code line. */
  readonly edgeMessage: string;

  constructor(fallback: ErrorCode, text: string, context?: string) {
    const { message, code } = splitEdgeError(text);
    super(isErrorCode(code) ? code : fallback);
    this.name = 'EdgeRpcError';
    this.edgeCode = code;
    this.edgeMessage = message;
    const prefix = context ? `${context}: ` : '';
    this.message = code ? `${prefix}${message} (${code})` : `${prefix}${message}`;
  }
}

/** A line holding only a code. */
const CODE_LINE = /^ERR_[A-Z0-9_]+$/;

/**
 * Splits "message\nERR_CODE" into its parts; a last line not shaped like a code stays in the
 * message. Our edge follows its own code with ngrok's number for the SDKs ("…\nERR_CODE\nERR_NGROK_n");
 * then its own code is the one kept.
 */
export function splitEdgeError(text: string): { message: string; code: string } {
  const lines = text.trim().split('\n');
  const isCodeLine = (i: number) => CODE_LINE.test(lines[i]?.trim() ?? '');
  if (lines.length > 2 && isCodeLine(lines.length - 2) && isNgrokCode(lines[lines.length - 1]!.trim())) lines.pop();
  const last = lines[lines.length - 1]?.trim() ?? '';
  if (lines.length > 1 && CODE_LINE.test(last)) {
    return { message: lines.slice(0, -1).join('\n').trim(), code: last };
  }
  if (lines.length === 1 && CODE_LINE.test(last)) return { message: last, code: last };
  return { message: text.trim(), code: '' };
}
