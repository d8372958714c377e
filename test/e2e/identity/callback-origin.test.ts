import assert from 'node:assert/strict';
import type http from 'node:http';
import { test } from 'node:test';
import { Browser } from '../../support/browser.ts';
import { startTestEdge } from '../../support/edge.ts';
import { routeToAgent, type ModuleRoute } from '../../support/modules.ts';
import { startOAuthStandIn } from '../../support/oauth-standin.ts';
import { startTestIdp } from '../../support/oidc-idp.ts';
import { startHttpService } from '../../support/services.ts';

const app = { clientId: 'portico-app', clientSecret: 'provider-client-secret' };
const callbackHost = 'login.example.com';

test('a common callback origin: one redirect URL for every domain, each login forwarded to its own', async (t) => {
  // The provider knows one redirect URL only: the callback origin's (its port is the request's).
  const registered: string[] = [];
  const google = await startTestIdp(t, { ...app, redirectUris: registered });
  const github = await startOAuthStandIn(t, 'github');
  const edge = await startTestEdge(t, {
    config: {
      identity: {
        allowHttpIssuers: true,
        callbackOrigin: `https://${callbackHost}`,
        oauthProviders: { google: { issuer: google.issuer }, github: github.endpoints },
      },
    },
  });
  registered.push(`https://${callbackHost}:${edge.ports.https}/oauth2/callback`);
  const service = await startHttpService(t, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  });
  const seen = (v: { body: Buffer }) =>
    JSON.parse(v.body.toString()) as { url: string; headers: http.IncomingHttpHeaders };
  const setOAuth = async (r: ModuleRoute, provider: 'google' | 'github') => {
    await r.ngrok.edgeModules.edgeRouteOAuthModule.replace({
      ...r.at,
      module: {
        provider: { [provider]: { ...app, emailDomains: ['example.com'] } },
        optionsPassthrough: false,
        cookiePrefix: 'ngrok.',
        inactivityTimeout: 0,
        maximumDuration: 0,
        authCheckInterval: 0,
      },
    });
    await edge.snapshots.settled();
  };
  const one = await routeToAgent(t, edge, 'one.cb.example.com', service.port);
  const two = await routeToAgent(t, edge, 'two.cb.example.org', service.port);
  const gh = await routeToAgent(t, edge, 'gh.cb.example.net', service.port);
  await setOAuth(one, 'google');
  await setOAuth(two, 'google');
  await setOAuth(gh, 'github');

  await t.test('logins on two domains both return through the callback origin to where they started', async () => {
    const browser = new Browser(edge.caPem);
    for (const r of [one, two]) {
      const v = await browser.go(`${r.url}/page?q=${r === one ? 1 : 2}`);
      assert.equal(v.status, 200, v.body.toString().slice(0, 300));
      assert.equal(v.url, `${r.url}/page?q=${r === one ? 1 : 2}`);
      const hosts = v.visited.map((u) => new URL(u).hostname);
      assert.ok(hosts.includes(callbackHost), `through the callback origin: ${v.visited.join(' → ')}`);
      const back = v.visited.find((u) => u.startsWith(`${r.url}/oauth2/callback?`));
      assert.ok(back, 'forwarded to the originating domain');
      assert.equal(seen(v).headers['ngrok-auth-email'], 'alice@example.com');
    }
    // Each domain has its own session; the callback origin keeps none.
    assert.ok(browser.cookie(new URL(one.url).hostname, 'ngrok.session'));
    assert.ok(browser.cookie(new URL(two.url).hostname, 'ngrok.session'));
    assert.deepEqual(browser.cookieNames(callbackHost), []);
  });

  await t.test('a plain OAuth provider (GitHub) exchanges its code with the common redirect URL', async () => {
    const v = await new Browser(edge.caPem).go(`${gh.url}/x`);
    assert.equal(v.status, 200, v.body.toString().slice(0, 300));
    assert.equal(v.url, `${gh.url}/x`);
    assert.ok(v.visited.some((u) => new URL(u).hostname === callbackHost));
    assert.equal(seen(v).headers['ngrok-auth-user-id'], github.user.id);
  });

  await t.test('a state pointed at another origin, or stripped of its MAC, is refused, never followed', async () => {
    const browser = new Browser(edge.caPem);
    const start = await browser.go(`${one.url}/`, { follow: false });
    assert.equal(start.status, 302);
    const state = new URL(String(start.headers.location)).searchParams.get('state')!;
    const parts = state.split('.');
    assert.equal(parts.length, 4, 'id, nonce, origin and MAC');
    assert.equal(Buffer.from(parts[2]!, 'base64url').toString(), one.url);

    const callback = (s: string) => `https://${callbackHost}:${edge.ports.https}/oauth2/callback?code=c&state=${s}`;
    const evil = [parts[0], parts[1], Buffer.from('https://evil.example.net').toString('base64url'), parts[3]].join(
      '.',
    );
    for (const s of [evil, `${parts.slice(0, 3).join('.')}.${'A'.repeat(43)}`]) {
      const v = await browser.go(callback(s), { follow: false });
      assert.equal(v.status, 400);
      assert.equal(v.headers['portico-error-code'], 'ERR_EDGE_IDENTITY_STATE_INVALID');
      assert.equal(v.headers.location, undefined);
    }
    // The genuine state is forwarded to its domain, query and all.
    const ok = await browser.go(callback(state), { follow: false });
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.location, `${one.url}/oauth2/callback?code=c&state=${state}`);
  });
});
