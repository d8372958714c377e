import { errorCatalogue, ngrokCodeOf, type ErrorCode, type PorticoError } from '../errors/catalogue.ts';
import { newRequestId } from '../log/request-id.ts';

/**
 * An API error in ngrok's envelope: `{error_code, status_code, msg, details}`. `errorCode` is a
 * catalogue code; the body's `error_code` is ngrok's number for it where ngrok has one (ngrok's
 * clients act on those only), else our code. The HTTP status is the catalogue's unless given,
 * and always equals `status_code`; `details` is always an object (the TypeScript client needs one).
 */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly errorCode: ErrorCode | undefined,
    message: string,
    readonly details: Record<string, string> = {},
    status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status ?? (errorCode ? errorCatalogue[errorCode].status : 500);
  }
}

/** A catalogued error in the envelope: its code, status and message. */
export function apiErrorOf(err: PorticoError): ApiError {
  return new ApiError(err.code, err.message, {}, err.status);
}

/** 404 for an unknown id or a foreign account's id (never 403: it must not reveal existence). */
export function notFound(what = 'Resource'): ApiError {
  return new ApiError(undefined, `${what} not found`, {}, 404);
}

/** 400 for a field value that is not acceptable, naming the field. */
export function invalid(code: ErrorCode, field: string, message: string): ApiError {
  return new ApiError(code, `${field}: ${message}`, { field });
}

/** A reference is to an id this account does not have. */
export function badReference(code: ErrorCode, field: string, id: string): ApiError {
  return new ApiError(code, `${field}: ${id} does not exist`, { field });
}

/** Deleting or detaching something still in use. */
export function stillInUse(code: ErrorCode, what: string, users: string[]): ApiError {
  return new ApiError(code, `${what} is still used by ${users.join(', ')}; remove those references first`);
}

/** The JSON body of an error response; its `operation_id` is the request's id (the one logs show). */
export function errorBody(err: ApiError, requestId: string = newRequestId()): Record<string, unknown> {
  const body: Record<string, unknown> = {
    status_code: err.status,
    msg: err.message,
    details: { ...err.details, operation_id: `op_${requestId}` },
  };
  if (err.errorCode) {
    const ngrok = ngrokCodeOf(err.errorCode);
    body.error_code = ngrok ?? err.errorCode;
    // Where ngrok's number stands in error_code, Portico's own code stays in details.
    if (ngrok && ngrok !== err.errorCode) (body.details as Record<string, string>).portico_code = err.errorCode;
  }
  return body;
}
