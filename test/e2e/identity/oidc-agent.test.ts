import assert from 'node:assert/strict';
import type http from 'node:http';
import { test } from 'node:test';
import { Browser } from '../../support/browser.ts';
import { forwardTo, startTestEdge } from '../../support/edge.ts';
import { startTestIdp } from '../../support/oidc-idp.ts';
import { startHttpService } from '../../support/services.ts';

const client = { clientId: 'portico-agent-app', clientSecret: 'agent-client-secret' };

test("oidc through our agent's forward() options: login at the IdP, the identity headers to the service, allowed domains", async (t) => {
  // Plain-http issuers are allowed for the in-process IdP only.
  const edge = await startTestEdge(t, { config: { identity: { allowHttpIssuers: true } } });
  const service = await startHttpService(t, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  });
  const url = `https://agent-oidc.localhost:${edge.ports.https}`;
  const idp = await startTestIdp(t, { ...client, redirectUris: [`${url}/oauth2/callback`] });
  const agent = await forwardTo(t, edge, {
    addr: service.port,
    domain: 'agent-oidc.localhost',
    oidc: idp.issuer,
    oidcClientId: client.clientId,
    oidcClientSecret: client.clientSecret,
    oidcScope: ['openid', 'profile', 'email'],
    oidcAllowDomain: ['example.com'],
  });
  assert.equal(agent.url, url);

  const alice = await new Browser(edge.caPem).go(`${url}/from-agent?z=1`, {
    headers: { 'ngrok-auth-email': 'root@evil.test' },
  });
  assert.equal(alice.status, 200, alice.body.toString());
  assert.ok(
    alice.visited.some((u) => u.startsWith(`${idp.issuer}/auth`)),
    alice.visited.join('\n'),
  );
  assert.equal(alice.url, `${url}/from-agent?z=1`);
  const seen = JSON.parse(alice.body.toString()) as { url: string; headers: http.IncomingHttpHeaders };
  assert.equal(seen.url, '/from-agent?z=1');
  assert.equal(seen.headers['ngrok-auth-email'], 'alice@example.com');
  assert.equal(seen.headers['ngrok-auth-user-id'], 'alice');
  assert.equal(seen.headers['ngrok-auth-user-name'], 'Alice Doe');

  // Outside the allowed domains: refused at the edge, the service never sees the request.
  idp.user = { sub: 'mallory', email: 'mallory@other.test', name: 'Mallory' };
  const mallory = await new Browser(edge.caPem).go(`${url}/from-agent`);
  assert.equal(mallory.status, 403);
  assert.equal(mallory.headers['portico-error-code'], 'ERR_EDGE_IDENTITY_DENIED');
});
