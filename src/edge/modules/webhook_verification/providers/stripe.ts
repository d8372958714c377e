import { hmac, isFresh, sameText, type Verifier } from '../signed-request.ts';

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`; each v1 is HMAC-SHA256 under the whole
 * endpoint secret (`whsec_…`) of `<t>.<raw body>`. Several v1 entries while a secret rotates;
 * `v0` is ignored. The timestamp must be within 5 minutes.
 */
export function stripe(secret: string): Verifier {
  return (req) => {
    const entries = (req.header('stripe-signature') ?? '').split(',').map((e) => e.trim().split('='));
    const t = entries.find(([k]) => k === 't')?.[1];
    if (!isFresh(t, req.now)) return false;
    const expected = hmac('sha256', secret, [`${t}.`, req.body], 'hex');
    return entries.some(([k, v]) => k === 'v1' && v !== undefined && sameText(v, expected));
  };
}
