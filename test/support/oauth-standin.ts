/**
 * A GitHub- or Facebook-shaped OAuth provider for tests (ORACLES.md §2): `oauth2-mock-server`
 * answers `/authorize` (redirects straight back with a code: the user always consents) and
 * `/token` (PKCE checked), and a few lines of our own serve the profile API the access token
 * opens: GitHub's `/user`, `/user/emails`, `/user/orgs`, `/user/teams`; Facebook's `/me`.
 * Whoever is in `standIn.user` when the code is exchanged is who logged in.
 */
import http from 'node:http';
import type net from 'node:net';
import type { TestContext } from 'node:test';
import { OAuth2Server } from 'oauth2-mock-server';
import { defer } from './defer.ts';

export interface StandInUser {
  /** GitHub's numeric id (as text), Facebook's id. */
  id: string;
  /** GitHub's login (the mention handle). */
  login: string;
  name: string;
  email: string;
  emailVerified?: boolean;
  /** GitHub organization logins and team handles "org/team-slug". */
  orgs?: string[];
  teams?: string[];
}

export interface OAuthStandIn {
  endpoints: { authorizeUrl: string; tokenUrl: string; apiUrl: string };
  /** The account the next code exchange logs in. */
  user: StandInUser;
  /** Accept headers of the token requests (GitHub answers form-encoded unless JSON is asked for). */
  tokenAccepts: string[];
  /** Answer the next token request as GitHub does for a bad code: HTTP 200 with an `error` field. */
  failNextToken: boolean;
  /** Paths of the profile API calls. */
  apiCalls: string[];
}

/** Starts the stand-in, closed after the test. */
export async function startOAuthStandIn(t: TestContext, kind: 'github' | 'facebook'): Promise<OAuthStandIn> {
  const tokens = new Map<string, StandInUser>();
  const mock = new OAuth2Server();
  await mock.issuer.keys.generate('RS256');
  await mock.start(0, '127.0.0.1');
  defer(t, () => mock.stop());
  const api = http.createServer((req, res) => {
    const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    s.apiCalls.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (!user) return void res.writeHead(401).end('{"message":"Bad credentials"}');
    const body = kind === 'github' ? github(user, new URL(req.url ?? '/', 'http://x')) : facebook(user, req.url ?? '');
    if (body === undefined) return void res.writeHead(404).end('{"message":"Not Found"}');
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise<void>((r) => (api.closeAllConnections(), api.close(() => r()))));
  const base = `http://127.0.0.1:${mock.address().port}`;
  const s: OAuthStandIn = {
    endpoints: {
      authorizeUrl: `${base}/authorize`,
      tokenUrl: `${base}/token`,
      apiUrl: `http://127.0.0.1:${(api.address() as net.AddressInfo).port}`,
    },
    user: { id: '1001', login: 'alice', name: 'Alice Doe', email: 'alice@example.com' },
    tokenAccepts: [],
    failNextToken: false,
    apiCalls: [],
  };
  mock.service.on('beforeResponse', (response: { body: Record<string, unknown>; statusCode: number }, req) => {
    s.tokenAccepts.push(String(req.headers.accept));
    if (s.failNextToken) {
      s.failNextToken = false;
      response.body = { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' };
      return;
    }
    // Neither provider is OpenID: no ID token.
    delete response.body.id_token;
    tokens.set(String(response.body.access_token), { ...s.user });
  });
  return s;
}

function github(user: StandInUser, url: URL): unknown {
  // One page of memberships: later pages are empty.
  const page = Number(url.searchParams.get('page') ?? '1');
  switch (url.pathname) {
    case '/user':
      return { id: Number(user.id), login: user.login, name: user.name, email: null };
    case '/user/emails':
      return [
        { email: `${user.login}@users.noreply.github.com`, primary: false, verified: true },
        { email: user.email, primary: true, verified: user.emailVerified ?? true },
      ];
    case '/user/orgs':
      return page > 1 ? [] : (user.orgs ?? []).map((login) => ({ login }));
    case '/user/teams':
      return page > 1
        ? []
        : (user.teams ?? []).map((h) => ({ slug: h.split('/')[1], organization: { login: h.split('/')[0] } }));
    default:
      return undefined;
  }
}

function facebook(user: StandInUser, url: string): unknown {
  return url.startsWith('/me?') ? { id: user.id, name: user.name, email: user.email } : undefined;
}
