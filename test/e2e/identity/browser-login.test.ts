/**
 * The OIDC login walked in headless Chromium as a person would: the protected page sends the
 * browser to the IdP's login form, the email is typed and submitted, and the service's page
 * shows the identity the edge handed it. Uses Debian's chromium (installed by .ci/run), driven
 * by playwright-core; never a browser build that Playwright downloads.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { defer } from '../../support/defer.ts';
import { forwardTo, startTestEdge } from '../../support/edge.ts';
import { startTestIdp } from '../../support/oidc-idp.ts';
import { startHttpService } from '../../support/services.ts';

const executablePath = '/usr/bin/chromium';
const skip = existsSync(executablePath) ? false : `no Chromium at ${executablePath} (apt-get install chromium)`;
const client = { clientId: 'portico-browser-app', clientSecret: 'browser-client-secret' };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

test('headless Chromium: a person signs in at the IdP and the service page shows who they are', { skip }, async (t) => {
  const edge = await startTestEdge(t, { config: { identity: { allowHttpIssuers: true } } });
  const service = await startHttpService(t, (req, res) => {
    const email = String(req.headers['ngrok-auth-email'] ?? '(none)');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<!doctype html><html><head><title>Protected service</title></head><body style="font-family: sans-serif">` +
        `<h1>Welcome</h1><p>Signed in as <strong id="email">${escapeHtml(email)}</strong></p></body></html>`,
    );
  });
  const url = `https://browser-oidc.localhost:${edge.ports.https}`;
  const idp = await startTestIdp(t, { ...client, redirectUris: [`${url}/oauth2/callback`], loginForm: true });
  await forwardTo(t, edge, {
    addr: service.port,
    domain: 'browser-oidc.localhost',
    oidc: idp.issuer,
    oidcClientId: client.clientId,
    oidcClientSecret: client.clientSecret,
  });

  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-sync',
      // Every name (the edge's *.localhost hosts included) reaches the test edge on loopback.
      '--host-resolver-rules=MAP * 127.0.0.1',
    ],
  });
  defer(t, () => browser.close());
  // The edge's certificate is issued by the test edge's own CA, which Chromium does not trust.
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();

  await page.goto(`${url}/dashboard?tab=1`);
  await page.waitForURL((u) => u.href.startsWith(`${idp.issuer}/interaction/`));
  assert.equal(await page.title(), 'Test IdP: sign in');
  await page.fill('input[name="email"]', 'carol@example.com');
  await page.click('button[type="submit"]');

  await page.waitForURL(`${url}/dashboard?tab=1`);
  assert.equal(await page.textContent('#email'), 'carol@example.com');
  assert.equal(idp.logins, 1);
  const cookies = await context.cookies(url);
  assert.ok(
    cookies.some((c) => c.name === 'ngrok.session' && c.httpOnly && c.secure),
    cookies.map((c) => c.name).join(', '),
  );

  const dir = await mkdtemp(join(tmpdir(), 'portico-browser-login-'));
  const screenshot = join(dir, 'signed-in.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  t.diagnostic(`screenshot: ${screenshot}`);
});
