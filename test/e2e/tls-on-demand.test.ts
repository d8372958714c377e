import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardTo, startTestEdge } from '../support/edge.ts';
import { startHttpService } from '../support/services.ts';
import { nodeHandshake } from './tls-clients.ts';

test('the local CA signs on demand only for names the edge serves: any other SNI gets the default certificate', async (t) => {
  const edge = await startTestEdge(t);
  const web = await startHttpService(t, (_req, res) => res.end('ok'));
  await forwardTo(t, edge, {
    addr: web.port,
    subdomain: 'served',
  });

  const fallback = await nodeHandshake(edge.ports.https, undefined);
  assert.ok(fallback.ok);
  for (const name of ['x1.evil-290.com', 'x2.evil-290.com', 'a.nobody.localhost']) {
    const got = await nodeHandshake(edge.ports.https, name);
    assert.ok(got.ok);
    assert.equal(got.fingerprint, fallback.fingerprint, `${name} gets the default certificate`);
  }
  const served = await nodeHandshake(edge.ports.https, 'served.localhost', { ca: edge.caPem });
  assert.ok(served.ok, 'the bound name gets a certificate that verifies');
  assert.notEqual(served.fingerprint, fallback.fingerprint);
  // One label under `localhost` (which no wildcard certificate can cover) still verifies, so a
  // visitor of a tunnel that is offline sees the error page rather than a certificate warning.
  assert.ok((await nodeHandshake(edge.ports.https, 'offline.localhost', { ca: edge.caPem })).ok);
});
