/**
 * What a provider's verifier sees of a request, and the few operations every scheme is built
 * from: an HMAC, a constant-time comparison, a timestamp window.
 */
import { createHmac, timingSafeEqual, type BinaryToTextEncoding } from 'node:crypto';

export interface SignedRequest {
  /** The first value of header `name` (lower case), if present. */
  header(name: string): string | undefined;
  /** The raw body, exactly as the client sent it. */
  body: Buffer;
  /** The public URL the provider called: scheme, Host and path with the query. */
  url: string;
  /** Seconds since the epoch, when the request is checked. */
  now: number;
}

/** Checks one request; false (or a rejection) means refused. */
export type Verifier = (req: SignedRequest) => boolean | Promise<boolean>;

/** Seconds a signed timestamp may be from now, either way (Stripe's, Slack's and Standard Webhooks' 5 minutes). */
export const timestampToleranceS = 300;

/** The HMAC of `parts` (joined) under `key`, in `encoding`. */
export function hmac(
  algorithm: 'sha1' | 'sha256',
  key: string | Buffer,
  parts: ReadonlyArray<string | Buffer>,
  encoding: BinaryToTextEncoding,
): string {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest(encoding);
}

/** Compares two strings in constant time (their lengths are not secret). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when `timestamp` (unix seconds, as text) is a whole number within the tolerance of `now`. */
export function isFresh(timestamp: string | undefined, now: number): boolean {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(now - Number(timestamp)) <= timestampToleranceS;
}
