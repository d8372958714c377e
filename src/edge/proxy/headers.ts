import type http from 'node:http';
import { clientIpOf } from './client-addr.ts';
import { hopsHeader } from './loop.ts';

/** Connection-level headers a proxy must not forward (RFC 9110 §7.6.1). */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  // Node's server has answered it (100 Continue) before the request reached the proxy.
  'expect',
]);

/**
 * Headers that carry a logged-in user's identity to the service (`ngrok-auth-user-id`,
 * `ngrok-auth-email`, `ngrok-oauth-access-token`, …). Only an identity module of the edge sets
 * them; a client's own are dropped on every route and endpoint, with an identity module or not,
 * so a service can trust them.
 */
export function isIdentityHeader(name: string): boolean {
  return name.startsWith('ngrok-auth-') || name.startsWith('ngrok-oauth-');
}

/**
 * Request headers for the agent: hop-by-hop and identity headers (isIdentityHeader) removed,
 * X-Forwarded-* and the edge hops (loop.ts) added.
 */
export function forwardedRequestHeaders(
  req: http.IncomingMessage,
  proto: 'http' | 'https',
  keepUpgrade: boolean,
  hops: string,
): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  const { connection } = req.headers;
  // Headers the client named in Connection are hop-by-hop too (keep-alive, close: none).
  const connectionTokens = connection
    ? String(connection)
        .toLowerCase()
        .split(',')
        .map((t) => t.trim())
    : undefined;
  for (const name in req.headers) {
    const value = req.headers[name];
    if (value === undefined) continue;
    if (hopByHop.has(name) || connectionTokens?.includes(name) || isIdentityHeader(name)) continue;
    out[name] = value;
  }
  if (keepUpgrade) {
    out.connection = 'upgrade';
    out.upgrade = req.headers.upgrade ?? '';
  }
  const client = clientIpOf(req.socket);
  const prior = req.headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  out['x-forwarded-proto'] = proto;
  out['x-forwarded-host'] = req.headers.host ?? '';
  out[hopsHeader] = hops;
  return out;
}

/** Response headers for the client from the agent's raw header list, hop-by-hop removed. */
export function forwardedResponseHeaders(rawHeaders: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!hopByHop.has(rawHeaders[i]!.toLowerCase())) out.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return out;
}

/** The Host header's name part, lower-cased, without port or trailing dot. */
export function requestHost(req: http.IncomingMessage): string {
  const host = (req.headers.host ?? '').toLowerCase();
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * Text (from the configuration, or a name from an identity provider) as a header value: its UTF-8
 * bytes, one Latin-1 character per byte, as ngrok's edge sends a string; control characters
 * (which no header may carry, tab aside) as spaces; printable ASCII is unchanged. Values taken
 * from the request itself are bytes already and go as they came.
 */
export function textAsHeaderValue(text: string): string {
  if (!/[^\t\x20-\x7e]/.test(text)) return text;
  const spaced = controlsAsSpaces(text);
  return /[^\x00-\x7f]/.test(spaced) ? Buffer.from(spaced, 'utf8').toString('latin1') : spaced;
}

/** `value` with the control characters no header may carry (tab aside) as spaces. */
export function controlsAsSpaces(value: string): string {
  return value.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ');
}
