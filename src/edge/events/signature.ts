/**
 * Signatures of HTTP event batches. Each POST carries
 * `Portico-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, keyed by
 * the destination's `target.http.secret` as UTF-8 bytes. A receiver recomputes the HMAC over the
 * raw body, compares in constant time, and refuses timestamps too far from its clock (replays).
 */
import { createHmac } from 'node:crypto';

export const signatureHeader = 'portico-signature';

/** The header value for `body` signed at `timestamp` (unix seconds). */
export function signBatch(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}
