import { verify } from 'node:crypto';
import type { SnsCertificates } from '../sns-certificates.ts';
import type { Verifier } from '../signed-request.ts';

/** The keys signed, in order, by message type (AWS SNS documentation); absent keys are skipped. */
const signedKeys: Record<string, readonly string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/**
 * AWS SNS: the JSON body carries `Signature` (base64) over `Key\nValue\n` pairs, RSA-SHA1
 * (`SignatureVersion` 1) or RSA-SHA256 (2), by the certificate at `SigningCertURL` (fetched
 * only from an SNS host, kept). `x-amz-sns-message-type`, when sent, must repeat the type.
 * No secret and no freshness window (AWS sets none).
 */
export function sns(certificates: SnsCertificates): Verifier {
  return async (req) => {
    const message = parseMessage(req.body);
    const keys = message && signedKeys[message.Type ?? ''];
    if (!message || !keys) return false;
    const typeHeader = req.header('x-amz-sns-message-type');
    if (typeHeader !== undefined && typeHeader !== message.Type) return false;
    const hash = { '1': 'sha1', '2': 'sha256' }[message.SignatureVersion ?? ''];
    const certUrl = message.SigningCertURL ?? '';
    if (!hash || !message.Signature || !certificates.allows(certUrl)) return false;
    const canonical = keys
      .filter((k) => message[k] !== undefined)
      .map((k) => `${k}\n${message[k]}\n`)
      .join('');
    const key = await certificates.publicKey(certUrl);
    return verify(hash, Buffer.from(canonical, 'utf8'), key, Buffer.from(message.Signature, 'base64'));
  };
}

/** The message's string fields, or undefined when the body is not a JSON object. */
function parseMessage(body: Buffer): Record<string, string | undefined> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
  } catch {
    return undefined;
  }
}
