import { createHash } from 'node:crypto';
import { parse } from 'node:querystring';
import { hmac, sameText, type SignedRequest, type Verifier } from '../signed-request.ts';

/**
 * Twilio: `X-Twilio-Signature: base64 HMAC-SHA1(auth token, data)`. For a form POST, data is
 * the public URL followed by every parameter as name and value, sorted by name; for a JSON
 * body the URL carries `bodySHA256=<hex SHA-256 of the body>`, checked as well. The URL is
 * tried with and without its port, as Twilio's own validator does. A SharedKey webhook names
 * HMAC_SHA256 in `X-Twilio-Webhooks-Signature-Settings`. No timestamp.
 */
export function twilio(secret: string): Verifier {
  return (req) => {
    const algorithm = algorithmOf(req.header('x-twilio-webhooks-signature-settings'));
    if (!algorithm) return false;
    const signature = req.header('x-twilio-signature') ?? '';
    const params = isForm(req) ? sortedParams(req.body) : '';
    const signed = [withoutPort(req.url), withPort(req.url)].some((url) =>
      sameText(signature, hmac(algorithm, secret, [url + params], 'base64')),
    );
    const bodyHash = new URL(req.url).searchParams.get('bodySHA256');
    return signed && (bodyHash === null || sameText(bodyHash, createHash('sha256').update(req.body).digest('hex')));
  };
}

/** The hash the settings header names: HMAC_SHA1 when absent, undefined when unknown. */
function algorithmOf(settings: string | undefined): 'sha1' | 'sha256' | undefined {
  const named = /(?:^|,)\s*algorithm=([^,]*)/
    .exec(settings ?? '')?.[1]
    ?.trim()
    .toUpperCase();
  if (!named || named === 'HMAC_SHA1') return 'sha1';
  return named === 'HMAC_SHA256' ? 'sha256' : undefined;
}

function isForm(req: SignedRequest): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(req.header('content-type') ?? '');
}

/** Every form parameter as name+value, sorted by name (a repeated name's values deduplicated and sorted). */
function sortedParams(body: Buffer): string {
  const params = parse(body.toString('utf8'));
  return Object.keys(params)
    .sort()
    .map((name) => {
      const value = params[name]!;
      return Array.isArray(value)
        ? [...new Set(value)]
            .sort()
            .map((v) => name + v)
            .join('')
        : name + value;
    })
    .join('');
}

const authority = /^(https?:\/\/)([^/?#]*)(.*)$/i;

function withoutPort(url: string): string {
  return url.replace(
    authority,
    (_m, scheme: string, host: string, rest: string) => scheme + host.replace(/:\d+$/, '') + rest,
  );
}

function withPort(url: string): string {
  return url.replace(authority, (_m, scheme: string, host: string, rest: string) =>
    /:\d+$/.test(host) ? scheme + host + rest : `${scheme}${host}:${scheme.startsWith('https') ? 443 : 80}${rest}`,
  );
}
