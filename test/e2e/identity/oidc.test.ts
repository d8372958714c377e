import assert from 'node:assert/strict';
import type http from 'node:http';
import { test, type TestContext } from 'node:test';
import { Browser, type Visit } from '../../support/browser.ts';
import { request } from '../../support/client.ts';
import { startTestEdge, type TestEdge } from '../../support/edge.ts';
import { asMap } from '../../support/edges.ts';
import { routeToAgent, type ModuleRoute } from '../../support/modules.ts';
import { startTestIdp, type TestIdp } from '../../support/oidc-idp.ts';
import { sdkForward } from '../../support/sdk.ts';
import { sleep, startHttpService } from '../../support/services.ts';

const client = { clientId: 'portico-app', clientSecret: 'idp-client-secret' };
const spoofed = { 'ngrok-auth-email': 'root@evil.test', 'ngrok-auth-user-id': '0', 'ngrok-oauth-access-token': 'x' };

/** What the service saw of one request (it echoes it as JSON). */
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

const seenOf = (v: { body: Buffer }): Seen => JSON.parse(v.body.toString()) as Seen;

interface Stack {
  edge: TestEdge;
  idp: TestIdp;
  route: ModuleRoute;
  servicePort: number;
  sdkUrl: string;
}

/** Edge (plain-http issuers allowed), a service echoing what it got, our agent on a route, the IdP. */
async function stack(t: TestContext): Promise<Stack> {
  const edge = await startTestEdge(t, { config: { identity: { allowHttpIssuers: true } } });
  const service = await startHttpService(t, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
  });
  const route = await routeToAgent(t, edge, 'app.oidc.example.com', service.port);
  const sdkUrl = `https://sdk-oidc.localhost:${edge.ports.https}`;
  const idp = await startTestIdp(t, {
    ...client,
    redirectUris: [`${route.url}/oauth2/callback`, `${sdkUrl}/oauth2/callback`],
  });
  return { edge, idp, route, servicePort: service.port, sdkUrl };
}

async function setOidc(s: Stack, extra: { maximumDuration?: number } = {}): Promise<void> {
  await s.route.ngrok.edgeModules.edgeRouteOidcModule.replace({
    ...s.route.at,
    module: {
      issuer: s.idp.issuer,
      ...client,
      scopes: ['openid', 'profile', 'email'],
      optionsPassthrough: false,
      cookiePrefix: '',
      inactivityTimeout: 0,
      maximumDuration: extra.maximumDuration ?? 0,
    },
  });
  await s.edge.snapshots.settled();
}

const wentToIdp = (v: Visit, idp: TestIdp) => v.visited.some((u) => u.startsWith(`${idp.issuer}/auth`));

test('oidc on a route: login at the IdP, headers to the service, capture, tampering, expiry, authorize, logout', async (t) => {
  const s = await stack(t);
  await s.route.ngrok.edgeModules.edgeRouteRequestHeadersModule.replace({
    ...s.route.at,
    module: { add: asMap({ 'x-who': '${oidc.user.name} <${oidc.user.email}>' }), remove: [] },
  });
  await setOidc(s);
  const host = 'app.oidc.example.com';
  const browser = new Browser(s.edge.caPem);

  // An unauthenticated GET goes to the IdP and comes back to the original URL, logged in.
  const first = await browser.go(`${s.route.url}/some/path?q=1`, { headers: spoofed });
  assert.equal(first.status, 200, first.body.toString());
  assert.ok(wentToIdp(first, s.idp), first.visited.join('\n'));
  assert.equal(first.url, `${s.route.url}/some/path?q=1`);
  let seen = seenOf(first);
  assert.equal(seen.url, '/some/path?q=1');
  assert.equal(seen.headers['ngrok-auth-user-id'], 'alice');
  assert.equal(seen.headers['ngrok-auth-user-name'], 'Alice Doe');
  assert.equal(seen.headers['ngrok-auth-email'], 'alice@example.com');
  assert.equal(seen.headers['ngrok-oauth-access-token'], undefined);
  assert.equal(seen.headers['x-who'], 'Alice Doe <alice@example.com>', 'request header variables');
  assert.equal(seen.headers.cookie, undefined, 'the identity cookies are not handed to the service');
  const session = browser.cookie(host, 'ngrok.session');
  assert.ok(session?.startsWith('v1.'));
  assert.deepEqual(
    browser.cookieNames(host).filter((n) => n.startsWith('ngrok.nonce.')),
    [],
  );

  // With the session: straight to the service; spoofed identity headers never arrive.
  browser.setCookie(host, 'app', '1');
  const again = await browser.go(`${s.route.url}/next`, { headers: spoofed });
  assert.deepEqual(again.visited, [`${s.route.url}/next`]);
  seen = seenOf(again);
  assert.equal(seen.headers.cookie, 'app=1', "the service's own cookies pass, the edge's do not");
  assert.equal(seen.headers['ngrok-auth-email'], 'alice@example.com');
  assert.equal(seen.headers['ngrok-auth-user-id'], 'alice');
  assert.equal(seen.headers['ngrok-oauth-access-token'], undefined);

  // A POST is captured and ends, after login, as a GET of the captured URI.
  const fresh = new Browser(s.edge.caPem);
  const posted = await fresh.go(`${s.route.url}/form?x=2`, { method: 'POST', body: 'a=1' });
  assert.equal(posted.status, 200);
  assert.equal(posted.visited[1]?.startsWith(`${s.idp.issuer}/auth`), true);
  assert.deepEqual([seenOf(posted).method, seenOf(posted).url], ['GET', '/form?x=2']);

  // A tampered session cookie starts a new login. The second-to-last character changes (the last
  // may carry only padding bits of base64url); it must differ from the one it replaces.
  const changed = session!.at(-2) === 'A' ? 'B' : 'A';
  const flipped = session!.slice(0, -2) + changed + session!.slice(-1);
  assert.notEqual(flipped, session);
  browser.setCookie(host, 'ngrok.session', flipped);
  const tampered = await browser.go(`${s.route.url}/t`, { follow: false });
  assert.equal(tampered.status, 302);
  assert.ok(String(tampered.headers.location).startsWith(`${s.idp.issuer}/auth`));
  const relogged = await browser.go(`${s.route.url}/t`);
  assert.equal(relogged.status, 200);
  assert.ok(wentToIdp(relogged, s.idp));

  // /oauth2/authorize forces a new login at the IdP (prompt=login), even with a session; back to /.
  // A name in any script reaches the service as its UTF-8 bytes, in the identity header and in a
  // request header template alike.
  const renamed = 'Alice Renamed Зоя 张 Zoë';
  s.idp.user = { ...s.idp.user, name: renamed };
  const logins = s.idp.logins;
  const before = browser.cookie(host, 'ngrok.session');
  const forced = await browser.go(`${s.route.url}/oauth2/authorize`);
  assert.equal(forced.url, `${s.route.url}/`, `${forced.status} ${forced.body.toString()}`);
  assert.equal(s.idp.logins, logins + 1);
  assert.notEqual(browser.cookie(host, 'ngrok.session'), before);
  const utf8 = (value: unknown) => Buffer.from(String(value), 'latin1').toString('utf8');
  assert.equal(utf8(seenOf(forced).headers['ngrok-auth-user-name']), renamed);
  assert.equal(utf8(seenOf(forced).headers['x-who']), `${renamed} <alice@example.com>`);

  // Logout clears the session: the next request goes to the IdP again.
  const out = await browser.go(`${s.route.url}/oauth2/logout`);
  assert.equal(out.status, 200);
  assert.equal(browser.cookie(host, 'ngrok.session'), undefined);
  const afterLogout = await browser.go(`${s.route.url}/x`, { follow: false });
  assert.equal(afterLogout.status, 302);

  // A configuration change ends every session; a session past maximum_duration ends too.
  await browser.go(`${s.route.url}/x`);
  await setOidc(s, { maximumDuration: 1 });
  assert.equal((await browser.go(`${s.route.url}/x`, { follow: false })).status, 302, 'configuration changed');
  assert.equal((await browser.go(`${s.route.url}/x`)).status, 200);
  assert.equal((await browser.go(`${s.route.url}/x`, { follow: false })).status, 200);
  await sleep(1_100);
  const expired = await browser.go(`${s.route.url}/x`, { follow: false });
  assert.equal(expired.status, 302, 'past maximum_duration');
  assert.ok(String(expired.headers.location).startsWith(`${s.idp.issuer}/auth`));

  // A callback whose state matches no login of this browser is refused with instructions.
  const forged = await browser.go(`${s.route.url}/oauth2/callback?code=x&state=0123456789abcdef.zz`);
  assert.equal(forged.status, 400);
  assert.equal(forged.headers['portico-error-code'], 'ERR_EDGE_IDENTITY_STATE_INVALID');
});

test('spoofed ngrok-auth-* headers never reach a service without an identity module', async (t) => {
  const s = await stack(t);
  const res = await request(`${s.route.url}/plain`, { ca: s.edge.caPem, headers: spoofed });
  assert.equal(res.status, 200);
  const seen = seenOf(res);
  for (const name of Object.keys(spoofed)) assert.equal(seen.headers[name], undefined, name);

  await sdkForward(t, s.edge, { addr: s.servicePort, domain: 'sdk-oidc.localhost' });
  const viaAgent = seenOf(await request(`${s.sdkUrl}/plain`, { ca: s.edge.caPem, headers: spoofed }));
  for (const name of Object.keys(spoofed)) assert.equal(viaAgent.headers[name], undefined, name);
});

test('oidc through the official SDK agent options on an agent endpoint, with allowed emails', async (t) => {
  const s = await stack(t);
  await sdkForward(t, s.edge, {
    addr: s.servicePort,
    domain: 'sdk-oidc.localhost',
    oidc_issuer_url: s.idp.issuer,
    oidc_client_id: client.clientId,
    oidc_client_secret: client.clientSecret,
    oidc_allow_emails: ['alice@example.com'],
  });
  const alice = await new Browser(s.edge.caPem).go(`${s.sdkUrl}/agent?y=3`, { headers: spoofed });
  assert.equal(alice.status, 200, alice.body.toString());
  assert.ok(wentToIdp(alice, s.idp));
  assert.equal(alice.url, `${s.sdkUrl}/agent?y=3`);
  assert.equal(seenOf(alice).headers['ngrok-auth-email'], 'alice@example.com');
  assert.equal(seenOf(alice).headers['ngrok-auth-user-id'], 'alice');

  // A user outside the allowed emails is refused with a page saying what to do.
  s.idp.user = { sub: 'mallory', email: 'mallory@other.test', name: 'Mallory' };
  const mallory = await new Browser(s.edge.caPem).go(`${s.sdkUrl}/agent`);
  assert.equal(mallory.status, 403);
  assert.equal(mallory.headers['portico-error-code'], 'ERR_EDGE_IDENTITY_DENIED');
  assert.match(mallory.body.toString(), /Ask the owner for access/);
});
