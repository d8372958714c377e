/**
 * Bearer tokens for credentials (authtokens) and API keys: `<id-body>_<secret>`, where id-body is
 * the record id without its prefix and secret is 32 random bytes in base64url. Only the SHA-256
 * of the secret is stored; the id-body finds the record without a scan.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random bytes in a token's secret. */
const SECRET_BYTES = 32;
const ID_BODY = /^[0-9a-hjkmnp-tv-z]{27}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** A new token for the record `id` (`cr_…`, `ak_…`) and the hash to store. */
export function makeToken(id: string): { token: string; hash: string } {
  const idBody = id.slice(id.lastIndexOf('_') + 1);
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { token: `${idBody}_${secret}`, hash: hashSecret(secret) };
}

/** The two parts of a well-formed token, or undefined. */
export function parseToken(token: string): { idBody: string; secret: string } | undefined {
  const at = token.indexOf('_');
  if (at < 0) return undefined;
  const idBody = token.slice(0, at);
  const secret = token.slice(at + 1);
  return ID_BODY.test(idBody) && SECRET.test(secret) ? { idBody, secret } : undefined;
}

/** SHA-256 of `secret`, lower-case hex. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** True when `secret` hashes to `hash`, compared in constant time. */
export function verifySecret(secret: string, hash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(hash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
