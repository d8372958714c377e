import { hmac, isFresh, sameText, type Verifier } from '../signed-request.ts';

/**
 * Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:<ts>:<raw body>")>` with
 * `X-Slack-Request-Timestamp`, which must be within 5 minutes.
 */
export function slack(secret: string): Verifier {
  return (req) => {
    const ts = req.header('x-slack-request-timestamp');
    if (!isFresh(ts, req.now)) return false;
    const expected = `v0=${hmac('sha256', secret, [`v0:${ts}:`, req.body], 'hex')}`;
    return sameText(req.header('x-slack-signature') ?? '', expected);
  };
}
