/**
 * The one catalogue of Portico's error codes. Every error a user can see carries one of these
 * codes, an HTTP status where one applies, a message the user can act on, and ngrok's numbered
 * code where ngrok has one for the same case. Codes are never renamed or reused; product code
 * names them as `ErrorCode.ERR_…`, never as string literals (test/architecture checks it).
 */
import { agentErrors } from './agent.ts';
import { apiErrors } from './api.ts';
import { configErrors } from './config.ts';
import { edgeProcessErrors } from './edge-process.ts';
import type { ErrorEntry, NgrokCode } from './entry.ts';
import { trafficErrors } from './traffic.ts';

export type { ErrorEntry, NgrokCode } from './entry.ts';

/** The catalogue's parts by area; a code appears in exactly one (checked by errors.test.ts). */
export const catalogueParts = [agentErrors, trafficErrors, apiErrors, configErrors, edgeProcessErrors] as const;

export const errorCatalogue = {
  ...agentErrors,
  ...trafficErrors,
  ...apiErrors,
  ...configErrors,
  ...edgeProcessErrors,
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof errorCatalogue;

/** Every code by its own name, for product code to write `ErrorCode.ERR_EDGE_NO_BACKEND`. */
export const ErrorCode = Object.freeze(Object.fromEntries(Object.keys(errorCatalogue).map((code) => [code, code]))) as {
  readonly [C in ErrorCode]: C;
};

/** ngrok's code for `code`: the entry's `ngrok`, the code itself when it is `ERR_NGROK_<n>`, else undefined. */
export function ngrokCodeOf(code: ErrorCode): NgrokCode | undefined {
  const entry: ErrorEntry = errorCatalogue[code];
  return entry.ngrok ?? (isNgrokCode(code) ? code : undefined);
}

/** Whether `code` is shaped like ngrok's numbered codes (`ERR_NGROK_` and digits). */
export function isNgrokCode(code: string): code is NgrokCode {
  return /^ERR_NGROK_[1-9][0-9]*$/.test(code);
}

/** Whether `code` is one of ours (a key of the catalogue). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalogue, code);
}

/** An error with a stable code from the catalogue; `message` is safe to show to users. */
export class PorticoError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown; status?: number }) {
    const entry = errorCatalogue[code];
    super(detail ? `${entry.message} (${detail})` : entry.message, { cause: options?.cause });
    this.name = 'PorticoError';
    this.code = code;
    this.status = options?.status ?? entry.status;
  }
}

export function isPorticoError(err: unknown): err is PorticoError {
  return err instanceof PorticoError;
}
