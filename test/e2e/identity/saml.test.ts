import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Browser, type Visit } from '../../support/browser.ts';
import { apiFetch } from '../../support/api.ts';
import { request } from '../../support/client.ts';
import { startTestEdge, type TestEdge } from '../../support/edge.ts';
import { routeToAgent, type ModuleRoute } from '../../support/modules.ts';
import { TestSamlIdp } from '../../support/saml-idp.ts';
import { startHttpService } from '../../support/services.ts';

const host = 'app.saml.example.com';
const spoofed = { 'ngrok-auth-email': 'root@evil.test', 'ngrok-auth-user-id': '0' };

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}
const seenOf = (v: { body: Buffer }): Seen => JSON.parse(v.body.toString()) as Seen;

interface Stack {
  edge: TestEdge;
  route: ModuleRoute;
  idp: TestSamlIdp;
  /** `https://<host>:<port>/saml/<route id>` */
  sp: string;
}

async function stack(t: TestContext, config?: Parameters<typeof startTestEdge>[1]): Promise<Stack> {
  const edge = await startTestEdge(t, config);
  const service = await startHttpService(t, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
  });
  const route = await routeToAgent(t, edge, host, service.port);
  return { edge, route, idp: new TestSamlIdp(), sp: `${route.url}/saml/${route.at.id}` };
}

async function setSaml(s: Stack, o: { allowIdpInitiated?: boolean; authorizedGroups?: string[] } = {}) {
  const module = await s.route.ngrok.edgeModules.edgeRouteSamlModule.replace({
    ...s.route.at,
    module: {
      idpMetadata: s.idp.metadata,
      forceAuthn: true,
      allowIdpInitiated: o.allowIdpInitiated ?? false,
      authorizedGroups: o.authorizedGroups ?? ['staff', 'admins'],
      nameidFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      optionsPassthrough: false,
      cookiePrefix: '',
      inactivityTimeout: 0,
      maximumDuration: 0,
    },
  });
  await s.edge.snapshots.settled();
  return module;
}

/** The SP metadata the edge serves: the IdP is configured from it (ACS URL, request-signing certificate). */
async function spMetadata(s: Stack): Promise<string> {
  const res = await request(`${s.sp}/metadata`, { ca: s.edge.caPem });
  assert.equal(res.status, 200);
  return res.body.toString();
}

/** Starts a login at `url`: the edge's redirect to the IdP, answered by the IdP. */
async function loginAtIdp(s: Stack, browser: Browser, url: string) {
  const start = await browser.go(url, { follow: false, headers: spoofed });
  assert.equal(start.status, 302, start.body.toString());
  const location = String(start.headers.location);
  assert.ok(location.startsWith(`${s.idp.ssoUrl}?SAMLRequest=`), location);
  return s.idp.answer(location, await spMetadata(s));
}

/** The browser carrying the IdP's POST form to the ACS, then following the redirects. */
function postToAcs(s: Stack, browser: Browser, xml: string, relayState?: string): Promise<Visit> {
  const form = new URLSearchParams({ SAMLResponse: Buffer.from(xml).toString('base64') });
  if (relayState !== undefined) form.set('RelayState', relayState);
  return browser.go(`${s.sp}/acs`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
}

/** The browser posts `form` to the SLO URL (the HTTP-POST binding); the answer is not followed. */
function postToSlo(s: Stack, browser: Browser, form: URLSearchParams): Promise<Visit> {
  return browser.go(`${s.sp}/slo`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    follow: false,
  });
}

/** xmlsec1's verdict on the IdP's signed XML, with the IdP's certificate (ORACLES.md §3). */
function xmlsecVerifies(xml: string, certPem: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'portico-xmlsec-'));
  try {
    writeFileSync(join(dir, 'idp.pem'), certPem);
    writeFileSync(join(dir, 'resp.xml'), xml);
    execFileSync(
      'xmlsec1',
      [
        ...['--verify', '--pubkey-cert-pem', join(dir, 'idp.pem')],
        ...['--id-attr:ID', 'urn:oasis:names:tc:SAML:2.0:protocol:Response'],
        ...['--id-attr:ID', 'urn:oasis:names:tc:SAML:2.0:assertion:Assertion'],
        join(dir, 'resp.xml'),
      ],
      { stdio: 'pipe' },
    );
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const codeOf = (v: Visit) => v.headers['portico-error-code'];

test('saml on a route: SP-initiated login with samlify as the IdP, headers, metadata, forged/unsigned/replayed refused, logout', async (t) => {
  const s = await stack(t);
  const module = await setSaml(s);
  assert.equal(module.entityId, `https://${host}/saml/${s.route.at.id}/metadata`);
  assert.equal(module.assertionConsumerServiceUrl, `https://${host}/saml/${s.route.at.id}/acs`);
  assert.match(module.requestSigningCertificatePem, /^-----BEGIN CERTIFICATE-----/);

  // The SP metadata: entity id, ACS, SLO, the request-signing certificate the API reports.
  const metadata = await spMetadata(s);
  assert.ok(metadata.includes(`entityID="${module.entityId}"`), metadata);
  assert.ok(metadata.includes(`Location="${module.assertionConsumerServiceUrl}"`));
  assert.ok(metadata.includes(`Location="${module.singleLogoutUrl}"`));
  const certBody = module.requestSigningCertificatePem.replace(/-----[A-Z ]+-----|\s/g, '');
  assert.ok(metadata.replace(/\s/g, '').includes(certBody), 'the signing certificate is in the metadata');

  // Login: to the IdP (signed AuthnRequest, ForceAuthn) and back to the original URL, logged in.
  const browser = new Browser(s.edge.caPem);
  const answer = await loginAtIdp(s, browser, `${s.route.url}/some/path?q=1`);
  assert.deepEqual(s.idp.requests, [{ forceAuthn: true }]);
  assert.ok(xmlsecVerifies(answer.xml, s.idp.keys.certPem), 'xmlsec1 verifies the IdP signature');
  const nonces = browser.cookieNames(host).filter((n) => n.startsWith('ngrok.nonce.'));
  assert.equal(nonces.length, 1);
  const nonceValue = browser.cookie(host, nonces[0]!);

  // Forged: an attribute changed after signing. xmlsec1 and the edge both refuse it.
  const forged = answer.xml.replace('alice@example.com', 'mallory@example.com');
  assert.notEqual(forged, answer.xml);
  assert.equal(xmlsecVerifies(forged, s.idp.keys.certPem), false, 'xmlsec1 refuses the forged response');
  const forgedVisit = await postToAcs(s, browser, forged, answer.relayState);
  assert.equal(forgedVisit.status, 403);
  assert.equal(codeOf(forgedVisit), 'ERR_EDGE_SAML_RESPONSE_INVALID');

  // Unsigned: the signature removed.
  browser.setCookie(host, nonces[0]!, nonceValue);
  const unsigned = answer.xml.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, '');
  assert.ok(!unsigned.includes('Signature'));
  const unsignedVisit = await postToAcs(s, browser, unsigned, answer.relayState);
  assert.equal(codeOf(unsignedVisit), 'ERR_EDGE_SAML_RESPONSE_INVALID');

  // The genuine response: back to the captured URL with the identity headers.
  browser.setCookie(host, nonces[0]!, nonceValue);
  const done = await postToAcs(s, browser, answer.xml, answer.relayState);
  assert.equal(done.status, 200, done.body.toString());
  assert.equal(done.url, `${s.route.url}/some/path?q=1`);
  const seen = seenOf(done);
  assert.deepEqual([seen.method, seen.url], ['GET', '/some/path?q=1']);
  assert.equal(seen.headers['ngrok-auth-user-id'], 'u-alice');
  assert.equal(seen.headers['ngrok-auth-user-name'], 'Alice Doe');
  assert.equal(seen.headers['ngrok-auth-email'], 'alice@example.com');
  assert.equal(seen.headers.cookie, undefined);
  const again = await browser.go(`${s.route.url}/next`, { headers: spoofed });
  assert.deepEqual(again.visited, [`${s.route.url}/next`]);
  assert.equal(seenOf(again).headers['ngrok-auth-user-id'], 'u-alice');

  // Replayed: the same response with the same login cookie again (a re-POST), and in another browser.
  const other = new Browser(s.edge.caPem);
  other.setCookie(host, nonces[0]!, nonceValue);
  const replayed = await postToAcs(s, other, answer.xml, answer.relayState);
  assert.equal(replayed.status, 403);
  assert.equal(codeOf(replayed), 'ERR_EDGE_SAML_REPLAYED');
  const elsewhere = await postToAcs(s, new Browser(s.edge.caPem), answer.xml, answer.relayState);
  assert.equal(codeOf(elsewhere), 'ERR_EDGE_IDENTITY_STATE_INVALID', 'answers a login of another browser');

  // Logout at the SLO URL clears the session and starts single logout at the IdP: a signed
  // LogoutRequest for the session's user and IdP session; the IdP's LogoutResponse comes back.
  const out = await browser.go(`${s.sp}/slo`, { follow: false });
  assert.equal(out.status, 303, out.body.toString());
  assert.equal(browser.cookie(host, 'ngrok.session'), undefined);
  const atIdp = String(out.headers.location);
  assert.ok(atIdp.startsWith(`${s.idp.sloUrl}?SAMLRequest=`), atIdp);
  const logout = await s.idp.answerLogout(atIdp, await spMetadata(s));
  assert.deepEqual([logout.nameId, logout.sessionIndex], ['u-alice', s.idp.sessionIndex]);
  // (The SP metadata names port 443; the test edge serves HTTPS on another.)
  const back = await browser.go(`${s.sp}/slo${new URL(logout.url).search}`);
  assert.deepEqual([back.status, back.body.toString().includes('<h1>You are signed out.</h1>')], [200, true]);
  // The LogoutResponse is checked: one without its signature, or with another, is refused.
  const unsignedAnswer = new URL(logout.url);
  unsignedAnswer.searchParams.delete('Signature');
  unsignedAnswer.searchParams.delete('SigAlg');
  const forgedAnswer = new URL(logout.url);
  const signature = forgedAnswer.searchParams.get('Signature')!;
  forgedAnswer.searchParams.set('Signature', `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`);
  for (const bad of [unsignedAnswer, forgedAnswer]) {
    const refused = await browser.go(`${s.sp}/slo${bad.search}`, { follow: false });
    assert.equal(refused.status, 403);
    assert.equal(codeOf(refused), 'ERR_EDGE_SAML_LOGOUT_RESPONSE_INVALID');
  }
  // The same on the HTTP-POST binding, the one the SP metadata names: a status changed inside the
  // signed XML breaks its signature.
  const relogin = await loginAtIdp(s, browser, `${s.route.url}/x`);
  assert.equal((await postToAcs(s, browser, relogin.xml, relogin.relayState)).status, 200);
  const outAgain = await browser.go(`${s.sp}/slo`, { follow: false });
  const postedAnswer = (await s.idp.answerLogout(String(outAgain.headers.location), await spMetadata(s), 'post')).form;
  const xml = Buffer.from(postedAnswer.get('SAMLResponse')!, 'base64').toString('utf8');
  assert.match(xml, /status:Success/);
  const failed = new URLSearchParams(postedAnswer);
  failed.set('SAMLResponse', Buffer.from(xml.replace('status:Success', 'status:Requester')).toString('base64'));
  // And one the IdP signed with a status other than Success: it did not sign the user out.
  const requester = 'urn:oasis:names:tc:SAML:2.0:status:Requester';
  const notDone = (await s.idp.answerLogout(String(outAgain.headers.location), await spMetadata(s), 'post', requester))
    .form;
  for (const form of [failed, notDone]) {
    const refusedPost = await postToSlo(s, browser, form);
    assert.equal(refusedPost.status, 403);
    assert.equal(codeOf(refusedPost), 'ERR_EDGE_SAML_LOGOUT_RESPONSE_INVALID');
  }
  const acceptedPost = await postToSlo(s, browser, postedAnswer);
  assert.deepEqual(
    [acceptedPost.status, acceptedPost.body.toString().includes('<h1>You are signed out.</h1>')],
    [200, true],
  );
  assert.equal((await browser.go(`${s.route.url}/x`, { follow: false })).status, 302);
  // Without a session there is nobody to log out at the IdP: the page says so at once.
  assert.equal((await browser.go(`${s.sp}/slo`, { follow: false })).status, 200);
});

test("saml: single logout started by the IdP, on the HTTP-POST and HTTP-Redirect bindings: signed LogoutResponse back, session ended, Success only for the session's user; an unsigned or forged LogoutRequest refused", async (t) => {
  const s = await stack(t);
  await setSaml(s);
  const metadata = await spMetadata(s);
  const browser = new Browser(s.edge.caPem);
  const login = async () => {
    const answer = await loginAtIdp(s, browser, `${s.route.url}/app`);
    assert.equal((await postToAcs(s, browser, answer.xml, answer.relayState)).status, 200);
    assert.ok(browser.cookie(host, 'ngrok.session'));
  };
  const loggedOut = async () => {
    assert.equal(browser.cookie(host, 'ngrok.session'), undefined);
    assert.equal((await browser.go(`${s.route.url}/app`, { follow: false })).status, 302, 'a new login starts');
  };
  const post = (form: URLSearchParams) => postToSlo(s, browser, form);
  const answered = async (visit: Visit, requestId: string) => {
    assert.equal(visit.status, 303, visit.body.toString());
    const location = String(visit.headers.location);
    assert.ok(location.startsWith(`${s.idp.sloUrl}?SAMLResponse=`), location);
    assert.equal(new URL(location).searchParams.get('RelayState'), 'idp-relay');
    // samlify checks the signature against the SP metadata's certificate, and the Success status.
    assert.deepEqual(await s.idp.logoutResponse(location, metadata), { inResponseTo: requestId });
  };

  // HTTP-POST, the binding the SP metadata names for its SingleLogoutService.
  await login();
  const byPost = s.idp.logoutRequest(metadata, 'post');
  await answered(await post(byPost.form!), byPost.id);
  await loggedOut();

  // HTTP-Redirect: the signature in the query.
  await login();
  const byRedirect = s.idp.logoutRequest(metadata, 'redirect');
  const query = new URL(byRedirect.url!).search;
  await answered(await browser.go(`${s.sp}/slo${query}`, { follow: false }), byRedirect.id);
  await loggedOut();

  // Signed for another user than this browser's: answered, but not as Success (the IdP must not
  // count that user's session here as ended); the browser is signed out all the same.
  await login();
  const alice = s.idp.user;
  s.idp.user = { ...alice, nameId: 'u-bob', email: 'bob@example.com' };
  const forBob = await post(s.idp.logoutRequest(metadata, 'post').form!);
  assert.equal(forBob.status, 303, forBob.body.toString());
  assert.ok(String(forBob.headers.location).startsWith(`${s.idp.sloUrl}?SAMLResponse=`));
  await assert.rejects(
    s.idp.logoutResponse(String(forBob.headers.location), metadata),
    /ERR_FAILED_STATUS with top tier code: urn:oasis:names:tc:SAML:2.0:status:Requester, second tier code: urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal/,
  );
  await loggedOut();
  // A browser without a session has nothing of bob's left here: Success.
  const noSession = s.idp.logoutRequest(metadata, 'post');
  await answered(await post(noSession.form!), noSession.id);
  s.idp.user = alice;

  // Forged (another user named after signing) or unsigned: refused, and no answer goes to the IdP.
  await login();
  const genuine = s.idp.logoutRequest(metadata, 'post').form!;
  const xml = Buffer.from(genuine.get('SAMLRequest')!, 'base64').toString();
  assert.ok(xml.includes('u-alice'));
  const forged = new URLSearchParams(genuine);
  forged.set('SAMLRequest', Buffer.from(xml.replace('u-alice', 'u-bob')).toString('base64'));
  const refused = await post(forged);
  assert.equal(refused.status, 403);
  assert.equal(codeOf(refused), 'ERR_EDGE_SAML_LOGOUT_INVALID');
  assert.equal(refused.headers.location, undefined);
  await loggedOut();
  await login();
  const unsigned = new URL(s.idp.logoutRequest(metadata, 'redirect').url!);
  unsigned.searchParams.delete('Signature');
  unsigned.searchParams.delete('SigAlg');
  const refusedToo = await browser.go(`${s.sp}/slo${unsigned.search}`, { follow: false });
  assert.equal(codeOf(refusedToo), 'ERR_EDGE_SAML_LOGOUT_INVALID');
  await loggedOut();

  // A form beyond the 256 KiB bound is not read further: refused, signed out all the same.
  await login();
  const huge = await post(new URLSearchParams({ SAMLRequest: 'x'.repeat(300 * 1024) }));
  assert.equal(huge.status, 403);
  assert.equal(codeOf(huge), 'ERR_EDGE_IDENTITY_PROVIDER_ERROR');
  await loggedOut();
});

test("saml: an IdP that encrypts assertions to the SP metadata's certificate: the edge decrypts them and logs in", async (t) => {
  const s = await stack(t);
  s.idp = new TestSamlIdp({ encryptAssertions: true });
  await setSaml(s);
  assert.match(await spMetadata(s), /KeyDescriptor use="encryption"/);
  const browser = new Browser(s.edge.caPem);
  const answer = await loginAtIdp(s, browser, `${s.route.url}/private`);
  assert.match(answer.xml, /EncryptedAssertion[\s\S]*xmlenc#aes256-cbc[\s\S]*xmlenc#rsa-oaep-mgf1p/);
  assert.ok(!answer.xml.includes('alice@example.com'), 'the assertion is not in the clear');
  const done = await postToAcs(s, browser, answer.xml, answer.relayState);
  assert.equal(done.status, 200, done.body.toString());
  assert.equal(done.url, `${s.route.url}/private`);
  assert.equal(seenOf(done).headers['ngrok-auth-email'], 'alice@example.com');
});

test('saml: authorized_groups refuses a user outside them; IdP-initiated refused unless allowed', async (t) => {
  const s = await stack(t);
  await setSaml(s);

  // Bob is in no authorized group.
  s.idp.user = { nameId: 'u-bob', email: 'bob@example.com', name: 'Bob', groups: ['contractors'] };
  const bob = new Browser(s.edge.caPem);
  const bobAnswer = await loginAtIdp(s, bob, `${s.route.url}/`);
  const refused = await postToAcs(s, bob, bobAnswer.xml, bobAnswer.relayState);
  assert.equal(refused.status, 403);
  assert.equal(codeOf(refused), 'ERR_EDGE_SAML_GROUPS_DENIED');
  assert.equal(bob.cookie(host, 'ngrok.session'), undefined);

  // IdP-initiated (no AuthnRequest, no RelayState): refused while not allowed.
  s.idp.user = { nameId: 'u-carol', email: 'carol@example.com', name: 'Carol', groups: ['admins'] };
  const unsolicited = await s.idp.unsolicited(await spMetadata(s));
  const carol = new Browser(s.edge.caPem);
  const notAllowed = await postToAcs(s, carol, unsolicited);
  assert.equal(notAllowed.status, 403);
  assert.equal(codeOf(notAllowed), 'ERR_EDGE_SAML_IDP_INITIATED_REFUSED');

  // Allowed: the user lands on / logged in; the same response a second time is a replay.
  await setSaml(s, { allowIdpInitiated: true });
  const fresh = await s.idp.unsolicited(await spMetadata(s));
  const allowed = await postToAcs(s, carol, fresh);
  assert.equal(allowed.status, 200, allowed.body.toString());
  assert.equal(allowed.url, `${s.route.url}/`);
  assert.equal(seenOf(allowed).headers['ngrok-auth-email'], 'carol@example.com');
  const replayed = await postToAcs(s, new Browser(s.edge.caPem), fresh);
  assert.equal(codeOf(replayed), 'ERR_EDGE_SAML_REPLAYED');
});

test('saml: idp_metadata_url fetched when written; the request-signing key kept across writes', async (t) => {
  const s = await stack(t, { config: { identity: { allowHttpIssuers: true } } });
  const served = await startHttpService(t, (req, res) => {
    if (req.url === '/hello') return void res.end('hello');
    if (req.url !== '/metadata.xml') return void res.writeHead(404).end();
    res.setHeader('content-type', 'application/samlmetadata+xml');
    res.end(s.idp.metadata);
  });
  const path = `/edges/https/${s.route.at.edgeId}/routes/${s.route.at.id}/saml`;
  const url = `http://127.0.0.1:${served.port}/metadata.xml`;
  const put = (body: object) => apiFetch(s.edge, 'PUT', path, body);
  const first = await put({ idp_metadata_url: url, authorized_groups: ['staff'] });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const module = first.body as Record<string, string>;
  assert.equal(module.idp_metadata_url, url);
  assert.equal(module.idp_metadata, s.idp.metadata, 'reads back the document fetched');
  await s.edge.snapshots.settled();

  // A login works with the fetched metadata.
  const browser = new Browser(s.edge.caPem);
  const answer = await loginAtIdp(s, browser, `${s.route.url}/from-url`);
  const v = await postToAcs(s, browser, answer.xml, answer.relayState);
  assert.equal(v.status, 200, v.body.toString());
  assert.equal(seenOf(v).url, '/from-url');

  // Written again (a changed setting): the IdP keeps trusting the same request-signing certificate.
  const again = await put({ idp_metadata_url: url, authorized_groups: ['staff', 'admins'] });
  assert.equal(
    (again.body as Record<string, string>).request_signing_certificate_pem,
    module.request_signing_certificate_pem,
  );
  const read = await apiFetch(s.edge, 'GET', `/edges/https/${s.route.at.edgeId}/routes/${s.route.at.id}`);
  const saml = (read.body as { saml: Record<string, string> }).saml;
  assert.equal(saml.request_signing_certificate_pem, module.request_signing_certificate_pem);

  // Unreachable, not https-or-allowed, not metadata: refused with the field and a code.
  for (const [bad, code] of [
    [`http://127.0.0.1:${served.port}/missing.xml`, 'ERR_SAML_METADATA_UNREACHABLE'],
    ['not a url', 'ERR_SAML_METADATA_UNREACHABLE'],
    [`http://127.0.0.1:${served.port}/hello`, 'ERR_NGROK_215'],
  ] as const) {
    const res = await put({ idp_metadata_url: bad });
    assert.equal(res.status, 400, bad);
    assert.equal((res.body as { error_code: string }).error_code, code, bad);
    assert.match(JSON.stringify(res.body), /idp_metadata_url/);
  }
});
