/**
 * Error codes that are not ours: Node.js sets them on its own errors, and product code compares
 * against them. Named here so that a quoted `ERR_…` outside src/errors is always a mistake.
 */
export const nodeErrorCode = {
  /** http.Server: the request did not arrive within requestTimeout or headersTimeout. */
  httpRequestTimeout: 'ERR_HTTP_REQUEST_TIMEOUT',
} as const;
