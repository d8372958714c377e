/**
 * The authorization-code grant of plain OAuth 2.0 providers (GitHub, Facebook), which have no
 * OpenID discovery or ID token: the authorization URL with PKCE S256, the code exchange, and
 * JSON calls to the profile API with the access token. The state is checked by the identity
 * core before `exchangeCode` runs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, PorticoError } from '../../../errors/catalogue.ts';
import type { LoginStart } from '../identity/login-flow.ts';

/** Milliseconds a token or profile request may take. */
const requestTimeoutMs = 10_000;

/** The application a login is made for. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** The authorization URL and the PKCE verifier to keep until the callback. */
export function authorizationStart(
  authorizeUrl: string,
  app: OAuthClient,
  o: { state: string; redirectUri: string; scopes: string[]; extra?: Record<string, string> },
): LoginStart {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(authorizeUrl);
  const params = {
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: o.redirectUri,
    scope: o.scopes.join(' '),
    state: o.state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...o.extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { url: url.href, remember: { verifier } };
}

/**
 * The access token for the code in `callback`. GitHub answers form-encoded unless asked for
 * JSON, and reports errors (a used or expired code) with HTTP 200 and an `error` field, so
 * both the content type and the body are checked, not only the status.
 */
export async function exchangeCode(
  tokenUrl: string,
  app: OAuthClient,
  callback: URL,
  redirectUri: string,
  verifier: string,
): Promise<string> {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      client_id: app.clientId,
      client_secret: app.clientSecret,
      code_verifier: verifier,
    }),
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
  const raw = await res.text();
  const body: Record<string, unknown> = (res.headers.get('content-type') ?? '').includes('json')
    ? (JSON.parse(raw) as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(raw));
  const token = body.access_token;
  if (!res.ok || body.error || typeof token !== 'string' || !token)
    throw new PorticoError(
      ErrorCode.ERR_EDGE_IDENTITY_PROVIDER_ERROR,
      `token endpoint answered ${res.status} ${text(body, 'error')} ${text(body, 'error_description')}`.trim(),
    );
  return token;
}

/** GET `url` with the user's access token; the JSON answer, or a provider error. */
export async function getJson(
  url: string,
  accessToken: string,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const res = await fetch(url, {
    headers: { accept: 'application/json', authorization: `Bearer ${accessToken}`, ...headers },
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
  if (!res.ok)
    throw new PorticoError(
      ErrorCode.ERR_EDGE_IDENTITY_PROVIDER_ERROR,
      `${new URL(url).pathname} answered ${res.status}`,
    );
  return res.json();
}

/** A string field of a JSON object ("" when absent); numbers (GitHub's user id) as text. */
export function text(o: unknown, key: string): string {
  const v = o && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
