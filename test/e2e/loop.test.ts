import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forward } from '../../src/agent/forward.ts';
import { request } from '../support/client.ts';
import { defer } from '../support/defer.ts';
import { forwardTo, startTestEdge } from '../support/edge.ts';
import { startHttpService } from '../support/services.ts';

test('an agent forwarding to the edge itself: the request that comes back answers 508 ERR_NGROK_3603 instead of looping', async (t) => {
  const edge = await startTestEdge(t);
  let seen = 0;
  const web = await startHttpService(t, (req, res) => {
    seen++;
    res.end(`hops ${req.headers['portico-edge-hops']}`);
  });
  // A mistake users make: the agent points at the edge's own public port.
  const looping = await forwardTo(t, edge, {
    addr: edge.ports.http,
    scheme: 'http',
    subdomain: 'loop',
  });
  const res = await request(`${looping.url}/x`);
  assert.equal(res.status, 508);
  assert.equal(res.headers['portico-error-code'], 'ERR_NGROK_3603');

  // A request that passes two edges in a row is no loop: each edge adds its own id.
  const second = await startTestEdge(t);
  const inner = await forward({
    addr: web.port,
    scheme: 'http',
    subdomain: 'inner',
    serverAddr: second.serverAddr,
    caCert: second.caPem,
    authtoken: second.credentials.authtoken,
  });
  defer(t, () => inner.close());
  await forwardTo(t, edge, {
    addr: `127.0.0.1:${second.ports.http}`,
    scheme: 'http',
    subdomain: 'inner',
  });
  const chained = await request(`http://inner.localhost:${edge.ports.http}/`);
  assert.equal(chained.status, 200);
  assert.match(chained.body.toString(), /^hops [0-9a-f]{12}, [0-9a-f]{12}$/);
  assert.equal(seen, 1);
});
