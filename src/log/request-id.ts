import { randomBytes } from 'node:crypto';

// A random per-process prefix and a counter: unique and unguessable enough to quote in a
// support request, without a call into the CSPRNG on every request.
const prefix = randomBytes(6).toString('hex');
let counter = 0;

/** A new request id: error pages and logs show it, and the API's `operation_id` is built on it. */
export function newRequestId(): string {
  return `${prefix}${(++counter).toString(36)}`;
}
