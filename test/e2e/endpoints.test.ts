import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forward } from '../../src/agent/forward.ts';
import { request } from '../support/client.ts';
import { defer } from '../support/defer.ts';
import { forwardTo, startTestEdge } from '../support/edge.ts';
import { startHttpService } from '../support/services.ts';

test('pooled endpoint: two agents on one hostname share its requests', async (t) => {
  const edge = await startTestEdge(t);
  const a = await startHttpService(t, (_req, res) => res.end('a'));
  const b = await startHttpService(t, (_req, res) => res.end('b'));
  const common = {
    serverAddr: edge.serverAddr,
    caCert: edge.caPem,
    authtoken: edge.credentials.authtoken,
    subdomain: 'pool',
    poolingEnabled: true,
  };
  const first = await forward({ ...common, addr: a.port });
  defer(t, () => first.close());
  const second = await forward({ ...common, addr: b.port });
  defer(t, () => second.close());
  assert.equal(first.url, second.url);

  const counts: Record<string, number> = {};
  for (let i = 0; i < 20; i++) {
    const res = await request(first.url, { ca: edge.caPem });
    const who = res.body.toString();
    counts[who] = (counts[who] ?? 0) + 1;
  }
  assert.deepEqual(counts, { a: 10, b: 10 });

  // One agent leaves: the other serves everything, nothing fails.
  await first.close();
  for (let i = 0; i < 5; i++) assert.equal((await request(first.url, { ca: edge.caPem })).body.toString(), 'b');
});

test('region: an agent asking for another region gets a clear error', async (t) => {
  const edge = await startTestEdge(t);
  const web = await startHttpService(t, (_req, res) => res.end('x'));
  await assert.rejects(
    forward({
      serverAddr: edge.serverAddr,
      caCert: edge.caPem,
      authtoken: edge.credentials.authtoken,
      addr: web.port,
      region: 'eu',
    }),
    /ERR_REGION_MISMATCH/,
  );
  const ok = await forwardTo(t, edge, {
    addr: web.port,
    region: 'local',
  });
  assert.equal((await request(ok.url, { ca: edge.caPem })).body.toString(), 'x');
});

test('HTTP scheme endpoints are served on the plain-HTTP port, labeled tunnels register with our agent', async (t) => {
  const edge = await startTestEdge(t);
  const web = await startHttpService(t, (req, res) => res.end(`proto ${req.headers['x-forwarded-proto']}`));
  const common = { serverAddr: edge.serverAddr, caCert: edge.caPem, authtoken: edge.credentials.authtoken };
  const plain = await forward({ ...common, addr: web.port, scheme: 'http' });
  defer(t, () => plain.close());
  assert.match(plain.url, new RegExp(`^http://[a-z2-7]+\\.localhost:${edge.ports.http}$`));
  assert.equal((await request(plain.url)).body.toString(), 'proto http');

  const labeled = await forward({ ...common, addr: web.port, labels: { app: 'ours' } });
  defer(t, () => labeled.close());
  assert.equal(labeled.url, '');
  assert.deepEqual(
    edge.registry.labeledTunnels({ app: 'ours' }).map((x) => x.id),
    [labeled.id],
  );
});
