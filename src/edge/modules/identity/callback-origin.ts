/**
 * The common callback origin (edge configuration `identity.callbackOrigin`,
 * `portico edge --oauth-callback-origin`): one redirect URL, `<origin>/oauth2/callback`,
 * registered once with a provider application for every domain an OAuth or OIDC module
 * protects. The login's state names the originating origin and carries a MAC under the edge's
 * key; the forwarder at the callback origin checks the MAC and that the edge serves the
 * originating host, then sends the browser on to `<originating origin>/oauth2/callback` with
 * the same query, where the module checks the state against its nonce cookie and completes the
 * login. A state that was modified or lost is refused, never followed: no open redirect.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { ErrorCode, PorticoError } from '../../../errors/catalogue.ts';

/** The path the provider calls back on (identity-module.ts identityPaths.callback). */
const callbackPath = '/oauth2/callback';

/** Bytes of a forwarded query; a provider's code and state are far smaller. */
const maxQueryBytes = 8 * 1024;

export interface CallbackOrigin {
  /** `scheme://host[:port]` the provider calls back on. Without a port, that of the request. */
  origin: URL;
  /** The MAC key of forwarded states (derived from the identity cookie key). */
  key: Buffer;
}

/**
 * The callback origin `text` names (`https://login.example.com[:port]`, nothing after the
 * origin), its key derived from the identity cookie key; undefined without one. Throws
 * ERR_CONFIG_INVALID for anything else.
 */
export function callbackOriginFrom(text: string | undefined, cookieKey: Buffer): CallbackOrigin | undefined {
  if (text === undefined || text === '') return undefined;
  let origin: URL | undefined;
  try {
    origin = new URL(text);
  } catch {
    origin = undefined;
  }
  const bare = origin && origin.pathname === '/' && !origin.search && !origin.hash && !origin.username;
  if (!origin || !bare || (origin.protocol !== 'https:' && origin.protocol !== 'http:'))
    throw new PorticoError(
      ErrorCode.ERR_CONFIG_INVALID,
      `the OAuth callback origin "${text}" is not an origin such as https://login.example.com (scheme, host and optional port, no path)`,
    );
  const key = Buffer.from(hkdfSync('sha256', cookieKey, Buffer.alloc(0), 'portico callback origin v1', 32));
  return { origin, key };
}

/** The redirect URI to register with the provider, for a request arriving at `requestHost` (`host[:port]`). */
export function commonRedirectUri(c: CallbackOrigin, requestHost: string): string {
  if (c.origin.port) return `${c.origin.origin}${callbackPath}`;
  const port = /:(\d+)$/.exec(requestHost)?.[1];
  return `${c.origin.protocol}//${c.origin.hostname}${port ? `:${port}` : ''}${callbackPath}`;
}

/** A login state `core` extended with the originating origin and its MAC. */
export function forwardableState(c: CallbackOrigin, core: string, origin: string): string {
  const body = `${core}.${Buffer.from(origin).toString('base64url')}`;
  return `${body}.${mac(c.key, body)}`;
}

/** The originating origin a forwardable state names, when its MAC holds; else undefined. */
export function originOfState(c: CallbackOrigin, state: string): URL | undefined {
  const dot = state.lastIndexOf('.');
  if (dot < 0) return undefined;
  const body = state.slice(0, dot);
  const given = Buffer.from(state.slice(dot + 1));
  const expected = Buffer.from(mac(c.key, body));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const encoded = body.slice(body.lastIndexOf('.') + 1);
  let origin: URL;
  try {
    origin = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const plain = origin.pathname === '/' && !origin.search && !origin.username && !origin.password;
  return plain && (origin.protocol === 'https:' || origin.protocol === 'http:') ? origin : undefined;
}

export type ForwardDecision = { location: string } | 'refuse' | 'not-mine';

/**
 * What the forwarder does with a request: `not-mine` unless it is a callback at the callback
 * origin's host carrying a state for another origin; `refuse` when that state's MAC fails, it
 * names no host `serves` knows, or the query is too large; else where to send the browser.
 */
export function forwardCallback(
  c: CallbackOrigin,
  req: http.IncomingMessage,
  host: string,
  serves: (hostname: string) => boolean,
): ForwardDecision {
  if (host !== c.origin.hostname) return 'not-mine';
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  if ((q < 0 ? url : url.slice(0, q)) !== callbackPath) return 'not-mine';
  const query = q < 0 ? '' : url.slice(q + 1);
  if (query.length > maxQueryBytes) return 'refuse';
  const state = new URLSearchParams(query).get('state') ?? '';
  // A state without our MAC may be a login of a module on this very host: its own to handle.
  if (state.split('.').length < 4) return 'not-mine';
  const origin = originOfState(c, state);
  if (!origin) return 'refuse';
  if (origin.hostname === c.origin.hostname) return 'not-mine';
  if (!serves(origin.hostname)) return 'refuse';
  return { location: `${origin.origin}${callbackPath}?${query}` };
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}
