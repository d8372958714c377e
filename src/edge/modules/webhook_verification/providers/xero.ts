import { hmac, sameText, type Verifier } from '../signed-request.ts';

/**
 * Xero: `x-xero-signature: <base64 HMAC-SHA256(webhook key, raw body)>`. No timestamp. Xero's
 * "intent to receive" wants 401 with an empty body for a bad signature (module file).
 */
export function xero(secret: string): Verifier {
  return (req) => sameText(req.header('x-xero-signature') ?? '', hmac('sha256', secret, [req.body], 'base64'));
}
