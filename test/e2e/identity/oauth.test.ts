import assert from 'node:assert/strict';
import type http from 'node:http';
import { test } from 'node:test';
import type { EndpointOAuthGitHub } from '@ngrok/ngrok-api';
import { apiFetch } from '../../support/api.ts';
import { Browser, type Visit } from '../../support/browser.ts';
import { startTestEdge } from '../../support/edge.ts';
import { routeToAgent, type ModuleRoute } from '../../support/modules.ts';
import { startOAuthStandIn } from '../../support/oauth-standin.ts';
import { startTestIdp } from '../../support/oidc-idp.ts';
import { sdkForward } from '../../support/sdk.ts';
import { startHttpService } from '../../support/services.ts';

const app = { clientId: 'portico-app', clientSecret: 'provider-client-secret' };
const spoofed = { 'ngrok-auth-email': 'root@evil.test', 'ngrok-auth-github-team': 'x/y' };
type Provider = 'github' | 'google' | 'microsoft' | 'facebook';
const providers: Provider[] = ['github', 'google', 'microsoft', 'facebook'];

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
}
const seenOf = (v: { body: Buffer }): Seen => JSON.parse(v.body.toString()) as Seen;
const refusedWith = (v: Visit, code: string) => {
  assert.equal(v.headers['portico-error-code'], code, `${v.status} ${v.body.toString().slice(0, 300)}`);
};

test('oauth: Google, GitHub, Microsoft and Facebook against local stand-ins', async (t) => {
  const github = await startOAuthStandIn(t, 'github');
  const facebook = await startOAuthStandIn(t, 'facebook');
  const googleUris: string[] = [];
  const msUris: string[] = [];
  const google = await startTestIdp(t, { ...app, redirectUris: googleUris });
  const microsoft = await startTestIdp(t, { ...app, redirectUris: msUris });
  const edge = await startTestEdge(t, {
    config: {
      identity: {
        allowHttpIssuers: true,
        oauthProviders: {
          github: github.endpoints,
          facebook: facebook.endpoints,
          google: { issuer: google.issuer },
          microsoft: { issuer: microsoft.issuer },
        },
      },
    },
  });
  const service = await startHttpService(t, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  });
  const routes = {} as Record<Provider, ModuleRoute>;
  for (const p of providers) routes[p] = await routeToAgent(t, edge, `${p}.oauth.example.com`, service.port);
  googleUris.push(`${routes.google.url}/oauth2/callback`);
  msUris.push(`${routes.microsoft.url}/oauth2/callback`);

  /** Puts the oauth module on `p`'s route through the official API client. */
  const setOAuth = async (p: Provider, settings: EndpointOAuthGitHub) => {
    await routes[p].ngrok.edgeModules.edgeRouteOAuthModule.replace({
      ...routes[p].at,
      module: {
        provider: { [p]: { ...app, ...settings } },
        optionsPassthrough: false,
        cookiePrefix: '',
        inactivityTimeout: 0,
        maximumDuration: 0,
        authCheckInterval: 0,
      },
    });
    await edge.snapshots.settled();
  };
  /** Who the provider logs in next. */
  const logInAs = (p: Provider, u: { id: string; login: string; name: string; email: string }) => {
    if (p === 'github' || p === 'facebook') (p === 'github' ? github : facebook).user = u;
    else (p === 'google' ? google : microsoft).user = { sub: u.id, email: u.email, name: u.name };
  };
  const alice = { id: '1001', login: 'alice', name: 'Alice Doe', email: 'alice@example.com' };
  const mallory = { id: '666', login: 'mallory', name: 'Mallory', email: 'mallory@other.test' };

  for (const p of providers) {
    await t.test(`${p}: login, headers to the service, a user outside the constraints refused`, async () => {
      // Two providers constrain by domain, two by address.
      const byDomain = p === 'github' || p === 'google';
      await setOAuth(p, byDomain ? { emailDomains: ['Example.com'] } : { emailAddresses: ['alice@example.com'] });
      logInAs(p, alice);
      const v = await new Browser(edge.caPem).go(`${routes[p].url}/page?q=1`, { headers: spoofed });
      assert.equal(v.status, 200, v.body.toString());
      assert.equal(v.url, `${routes[p].url}/page?q=1`);
      assert.ok(v.visited.length >= 3, 'went to the provider');
      const h = seenOf(v).headers;
      assert.equal(h['ngrok-auth-user-id'], alice.id);
      assert.equal(h['ngrok-auth-user-name'], alice.name);
      assert.equal(h['ngrok-auth-email'], alice.email);
      assert.ok(h['ngrok-oauth-access-token'], 'the access token of the own application');
      assert.equal(h['ngrok-auth-github-team'], undefined, 'spoofed and not a team match');
      assert.equal(h['ngrok-auth-github-user-id'], p === 'github' ? 'alice' : undefined);
      assert.equal(h.cookie, undefined);

      logInAs(p, mallory);
      const refused = await new Browser(edge.caPem).go(`${routes[p].url}/page`);
      assert.equal(refused.status, 403);
      refusedWith(refused, 'ERR_EDGE_IDENTITY_DENIED');
      assert.match(refused.body.toString(), /Ask the owner for access/);
    });
  }

  await t.test('github: organization and team constraints, their headers, the API calls', async () => {
    await setOAuth('github', { organizations: ['acme'], teams: ['Widgets/devs'] });
    const calls = github.apiCalls.length;
    github.user = { ...alice, orgs: ['acme'], teams: ['acme/platform'] };
    let h = seenOf(await new Browser(edge.caPem).go(`${routes.github.url}/`)).headers;
    assert.equal(h['ngrok-auth-github-organization'], 'acme');
    assert.equal(h['ngrok-auth-github-team'], undefined, 'no team constraint matched');
    assert.ok(github.apiCalls.slice(calls).some((c) => c.startsWith('/user/orgs')));
    assert.ok(github.apiCalls.slice(calls).some((c) => c.startsWith('/user/teams')));

    github.user = { ...mallory, orgs: ['widgets'], teams: ['widgets/devs'] };
    h = seenOf(await new Browser(edge.caPem).go(`${routes.github.url}/`)).headers;
    assert.equal(h['ngrok-auth-github-organization'], 'widgets');
    assert.equal(h['ngrok-auth-github-team'], 'widgets/devs');
    assert.equal(h['ngrok-auth-github-user-id'], 'mallory');

    github.user = { ...mallory, orgs: ['other'], teams: ['widgets/ops'] };
    const outsider = await new Browser(edge.caPem).go(`${routes.github.url}/`);
    assert.equal(outsider.status, 403);
    refusedWith(outsider, 'ERR_EDGE_IDENTITY_DENIED');
    assert.ok(
      github.tokenAccepts.every((a) => a.includes('application/json')),
      'JSON asked of the token endpoint',
    );

    // GitHub reports a bad code with HTTP 200 and an error field: the login fails, with instructions.
    github.failNextToken = true;
    const failed = await new Browser(edge.caPem).go(`${routes.github.url}/`);
    assert.equal(failed.status, 403);
    refusedWith(failed, 'ERR_EDGE_IDENTITY_PROVIDER_ERROR');
  });

  await t.test('a module without client id and secret, or with a provider this edge lacks, is refused', async () => {
    const path = `/edges/https/${routes.github.at.edgeId}/routes/${routes.github.at.id}/oauth`;
    const managed = await apiFetch(edge, 'PUT', path, { provider: { github: { email_domains: ['example.com'] } } });
    assert.equal(managed.status, 400);
    assert.equal(managed.body.error_code, 'ERR_OAUTH_MANAGED_APP_UNSUPPORTED');
    assert.match(String(managed.body.msg), /own OAuth application/);
    const off = await apiFetch(edge, 'PUT', path, { enabled: false, provider: { github: {} } });
    assert.equal(off.status, 200, 'stored switched off');
    const gitlab = await apiFetch(edge, 'PUT', path, {
      provider: { gitlab: { client_id: 'a', client_secret: 'b' } },
    });
    assert.equal(gitlab.body.error_code, 'ERR_MODULE_NOT_ENFORCED');
    assert.match(String(gitlab.body.msg), /gitlab/);
  });

  await t.test('github through the official SDK agent options, with allowed emails', async (st) => {
    const sdkUrl = `https://sdk-oauth.localhost:${edge.ports.https}`;
    await sdkForward(st, edge, {
      addr: service.port,
      domain: 'sdk-oauth.localhost',
      oauth_provider: 'github',
      oauth_client_id: app.clientId,
      oauth_client_secret: app.clientSecret,
      oauth_allow_emails: ['alice@example.com'],
    });
    github.user = alice;
    const v = await new Browser(edge.caPem).go(`${sdkUrl}/agent`, { headers: spoofed });
    assert.equal(v.status, 200, v.body.toString());
    assert.equal(seenOf(v).headers['ngrok-auth-email'], 'alice@example.com');
    assert.equal(seenOf(v).headers['ngrok-auth-github-user-id'], 'alice');
    github.user = mallory;
    refusedWith(await new Browser(edge.caPem).go(`${sdkUrl}/agent`), 'ERR_EDGE_IDENTITY_DENIED');

    await assert.rejects(
      sdkForward(st, edge, { addr: service.port, domain: 'sdk-oauth2.localhost', oauth_provider: 'github' }),
      /ERR_OAUTH_MANAGED_APP_UNSUPPORTED|managed/,
    );
  });
});
