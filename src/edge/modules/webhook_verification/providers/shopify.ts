import { hmac, sameText, type Verifier } from '../signed-request.ts';

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(app client secret, raw body)>`
 * (`shopify-hmac-sha256` on Events deliveries). No timestamp.
 */
export function shopify(secret: string): Verifier {
  return (req) => {
    const signature = req.header('x-shopify-hmac-sha256') ?? req.header('shopify-hmac-sha256') ?? '';
    return sameText(signature, hmac('sha256', secret, [req.body], 'base64'));
  };
}
