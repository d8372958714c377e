import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { isFresh, type Verifier } from '../signed-request.ts';

/**
 * SendGrid (Twilio Email) Event Webhook: `X-Twilio-Email-Event-Webhook-Signature`, a base64 DER
 * ECDSA P-256/SHA-256 signature of the `X-Twilio-Email-Event-Webhook-Timestamp` value followed
 * by the raw body. The secret is the verification key (base64 SPKI DER, or PEM). SendGrid sets
 * no freshness window; the edge takes 5 minutes, as for Stripe and Slack.
 */
export function sendgrid(secret: string): Verifier {
  const key = publicKeyOf(secret);
  return (req) => {
    const timestamp = req.header('x-twilio-email-event-webhook-timestamp');
    const signature = req.header('x-twilio-email-event-webhook-signature');
    if (!signature || !isFresh(timestamp, req.now)) return false;
    return verify('sha256', Buffer.concat([Buffer.from(timestamp!), req.body]), key, Buffer.from(signature, 'base64'));
  };
}

function publicKeyOf(secret: string): KeyObject {
  const text = secret.trim();
  return text.startsWith('-----BEGIN')
    ? createPublicKey(text)
    : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
}
