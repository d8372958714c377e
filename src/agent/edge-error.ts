import { errorCatalogue, PorticoError } from '../errors/catalogue.ts';
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
    super(isCatalogued(code) ? code : fallback);
    this.name = 'EdgeRpcError';
    this.edgeCode = code;
    this.edgeMessage = message;
    const prefix = context ? `${context}: ` : '';
    this.message = code ? `${prefix}${message} (${code})` : `${prefix}${message}`;
  }
}

/** Splits "message\nERR_CODE" into its parts; a last line not shaped like a code stays in the message. */
export function splitEdgeError(text: string): { message: string; code: string } {
  const lines = text.trim().split('\n');
  const last = lines[lines.length - 1]?.trim() ?? '';
  if (lines.length > 1 && /^ERR_[A-Z0-9_]+$/.test(last)) {
    return { message: lines.slice(0, -1).join('\n').trim(), code: last };
  }
  if (lines.length === 1 && /^ERR_[A-Z0-9_]+$/.test(last)) return { message: last, code: last };
  return { message: text.trim(), code: '' };
}

function isCatalogued(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalogue, code);
}
