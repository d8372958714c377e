import { hmac, isFresh, sameText, type SignedRequest, type Verifier } from '../signed-request.ts';

/**
 * GitLab, either way it signs: the classic secret token (`X-Gitlab-Token: <secret>`, verbatim)
 * or the signing token, which follows Standard Webhooks: `webhook-signature: v1,<base64>`
 * (several space-separated) of `<webhook-id>.<webhook-timestamp>.<raw body>` under the bytes
 * the secret (`whsec_<base64>`) encodes; the timestamp must be within 5 minutes.
 */
export function gitlab(secret: string): Verifier {
  const signingKey = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return (req) => {
    const token = req.header('x-gitlab-token');
    return (token !== undefined && sameText(token, secret)) || standardWebhook(signingKey, req);
  };
}

function standardWebhook(key: Buffer, req: SignedRequest): boolean {
  const id = req.header('webhook-id');
  const timestamp = req.header('webhook-timestamp');
  const signatures = req.header('webhook-signature');
  if (!id || !signatures || !isFresh(timestamp, req.now)) return false;
  const expected = hmac('sha256', key, [`${id}.${timestamp}.`, req.body], 'base64');
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    return version === 'v1' && signature !== undefined && sameText(signature, expected);
  });
}
