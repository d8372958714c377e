import { hmac, sameText, type Verifier } from '../signed-request.ts';

/** Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1(client secret, raw body)>`. No timestamp. */
export function intercom(secret: string): Verifier {
  return (req) => sameText(req.header('x-hub-signature') ?? '', `sha1=${hmac('sha1', secret, [req.body], 'hex')}`);
}
