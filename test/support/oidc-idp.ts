/**
 * A real OpenID provider for tests: `oidc-provider` in-process on http://127.0.0.1:<port>
 * (ORACLES.md §1). Its login and consent screens are replaced by an auto-approve handler that
 * logs in whichever account the test set in `idp.user`, so a test scripts who logs in; or, with
 * `loginForm`, by a minimal HTML page where a real browser types an email address and submits.
 */
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import type { TestContext } from 'node:test';
// Untyped (oidc-provider.d.ts); ProviderApi below types the calls made.
import Provider from 'oidc-provider';
import { defer } from './defer.ts';

export interface IdpUser {
  sub: string;
  email: string;
  name: string;
  emailVerified?: boolean;
}

export interface TestIdp {
  issuer: string;
  /** The account the next login logs in as. */
  user: IdpUser;
  /** Logins completed (interactions approved). */
  logins: number;
}

interface Interaction {
  params: { client_id: string; scope: string };
}

interface ProviderApi {
  callback(): http.RequestListener;
  interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<Interaction>;
  interactionFinished(req: http.IncomingMessage, res: http.ServerResponse, result: object, o: object): Promise<void>;
  Grant: new (o: { accountId: string; clientId: string }) => { addOIDCScope(s: string): void; save(): Promise<string> };
}

/**
 * Starts a provider whose one confidential client may redirect to `redirectUris`, closed after the
 * test. With `loginForm`, the login page asks for an email address and logs in the account of
 * that address (sub: the address, name: its local part) instead of approving `idp.user` at once.
    if (!provider) throw new Error('no provider yet');
 */
export async function startTestIdp(
  t: TestContext,
  client: { clientId: string; clientSecret: string; redirectUris: string[]; loginForm?: boolean },
): Promise<TestIdp> {
  let handler: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const issuer = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const idp: TestIdp = { issuer, user: { sub: 'alice', email: 'alice@example.com', name: 'Alice Doe' }, logins: 0 };
  const users = new Map<string, IdpUser>();
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const make = () =>
    new (Provider as unknown as new (issuer: string, config: object) => ProviderApi)(issuer, {
      clients: [
        {
          client_id: client.clientId,
          client_secret: client.clientSecret,
          redirect_uris: client.redirectUris,
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      pkce: { required: () => true },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      findAccount: (_ctx: unknown, sub: string) => {
        const u = users.get(sub);
        return (
          u && {
            accountId: sub,
            claims: () => ({ sub, email: u.email, email_verified: u.emailVerified ?? true, name: u.name }),
          }
        );
      },
      cookies: { keys: ['portico-test-cookie-key'] },
      ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600 },
      jwks: { keys: [{ ...key, kid: 'test', alg: 'RS256', use: 'sig' }] },
    });
  let provider: ProviderApi | undefined;
  let callback: http.RequestListener | undefined;
  handler = (req, res) => {
    provider ??= make();
    callback ??= provider.callback();
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    const step = !client.loginForm
      ? approve(req, res, idp.user)
      : req.method === 'POST'
        ? submitted(req).then((user) => approve(req, res, user))
        : showLoginForm(req, res);
    void step.catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  };
  // Stands in for the person: logs in `user` and grants what the client asked.
  const approve = async (req: http.IncomingMessage, res: http.ServerResponse, user: IdpUser) => {
    if (!provider) throw new Error('no provider yet');
    const { params } = await provider.interactionDetails(req, res);
    const accountId = user.sub;
    users.set(accountId, { ...user });
    const grant = new provider.Grant({ accountId, clientId: params.client_id });
    grant.addOIDCScope(params.scope);
    const grantId = await grant.save();
    idp.logins++;
    idp.user = user;
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  };
  return idp;
}

/** The login page: one email field and a button, posted back to the interaction's own URL. */
async function showLoginForm(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const action = new URL(req.url ?? '/', 'http://idp').pathname;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(`<!doctype html>
<html><head><title>Test IdP: sign in</title></head>
<body style="font-family: sans-serif; margin: 3em">
  <h1>Sign in to the test IdP</h1>
  <form method="post" action="${action}">
    <label for="email">Email</label>
    <input id="email" name="email" type="email" required autofocus>
    <button type="submit">Sign in</button>
  </form>
</body></html>`);
}

/** The account of the email address the login form posted. */
async function submitted(req: http.IncomingMessage): Promise<IdpUser> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const email = new URLSearchParams(Buffer.concat(chunks).toString()).get('email') ?? '';
  if (!email.includes('@')) throw new Error(`the login form posted no email address: "${email}"`);
  return { sub: email, email, name: email.slice(0, email.indexOf('@')) };
}
