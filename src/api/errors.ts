import { randomBytes } from 'node:crypto';
import type { PorticoError } from '../errors/catalogue.ts';

/**
 * An API error in ngrok's envelope: `{error_code, status_code, msg, details}`. Codes are
 * ngrok's (`ERR_NGROK_…`) where a client may act on them; the HTTP status always equals
 * `status_code`, and `details` is always an object (the TypeScript client needs one).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string | undefined,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A catalogued error in the envelope: its code, status and message. */
export function apiErrorOf(err: PorticoError): ApiError {
  return new ApiError(err.status, err.code, err.message);
}

/** 404 for an unknown id or a foreign account's id (never 403: it must not reveal existence). */
export function notFound(what = 'Resource'): ApiError {
  return new ApiError(404, undefined, `${what} not found`);
}

/** 400 for a field value that is not acceptable, naming the field. */
export function invalid(code: string, field: string, message: string): ApiError {
  return new ApiError(400, code, `${field}: ${message}`, { field });
}

/** A reference is to an id this account does not have. */
export function badReference(code: string, field: string, id: string): ApiError {
  return new ApiError(400, code, `${field}: ${id} does not exist`, { field });
}

/** Deleting or detaching something still in use. */
export function stillInUse(code: string, what: string, users: string[]): ApiError {
  return new ApiError(400, code, `${what} is still used by ${users.join(', ')}; remove those references first`);
}

export function operationId(): string {
  return `op_${randomBytes(16).toString('hex').slice(0, 27)}`;
}

/** The JSON body of an error response. */
export function errorBody(err: ApiError): Record<string, unknown> {
  const body: Record<string, unknown> = { status_code: err.status, msg: err.message, details: { ...err.details, operation_id: operationId() } };
  if (err.errorCode) body.error_code = err.errorCode;
  return body;
}
