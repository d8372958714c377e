import { hmac, sameText, type Verifier } from '../signed-request.ts';

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`. No timestamp. */
export function github(secret: string): Verifier {
  return (req) =>
    sameText(req.header('x-hub-signature-256') ?? '', `sha256=${hmac('sha256', secret, [req.body], 'hex')}`);
}
