import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient } from '../support/api.ts';
import { request } from '../support/client.ts';
import { httpsEdge, reserve, httpResponseBackend } from '../support/edges.ts';
import { forwardTo, startTestEdge } from '../support/edge.ts';
import { startHttpService } from '../support/services.ts';

test('wildcard precedence: exact, then the most specific wildcard, for edges and agent endpoints', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const names = ['*.example.com', '*.bar.example.com', 'foo.bar.example.com'];
  await reserve(ngrok, ...names);
  for (const name of names)
    await httpsEdge(ngrok, [`${name}:443`], [{ backendId: await httpResponseBackend(ngrok, `edge ${name}`) }]);
  await edge.snapshots.settled();
  const at = (host: string) => `https://${host}:${edge.ports.https}/`;
  const body = async (host: string) => (await request(at(host), { ca: edge.caPem })).body.toString();
  assert.equal(await body('foo.bar.example.com'), 'edge foo.bar.example.com');
  assert.equal(await body('x.bar.example.com'), 'edge *.bar.example.com');
  assert.equal(await body('a.b.c.example.com'), 'edge *.example.com');

  // The same rule for agent endpoints, on names of their own.
  const names2 = ['*.example.org', '*.bar.example.org', 'foo.bar.example.org'];
  await reserve(ngrok, ...names2);
  for (const name of names2) {
    const service = await startHttpService(t, (_req, res) => res.end(`agent ${name}`));
    await forwardTo(t, edge, {
      addr: service.port,
      hostname: name,
    });
  }
  assert.equal(await body('foo.bar.example.org'), 'agent foo.bar.example.org');
  assert.equal(await body('x.bar.example.org'), 'agent *.bar.example.org');
  assert.equal(await body('a.b.c.example.org'), 'agent *.example.org');

  // Across the two: an agent on an exact name beats an edge's wildcard.
  await reserve(ngrok, 'solo.example.com');
  const service = await startHttpService(t, (_req, res) => res.end('agent solo'));
  await forwardTo(t, edge, {
    addr: service.port,
    hostname: 'solo.example.com',
  });
  assert.equal(await body('solo.example.com'), 'agent solo');
  assert.equal(await body('other.example.com'), 'edge *.example.com');
});

test('path routing: several routes on one edge, each with its own backend; no match is a 404 with a code', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'shop.example.com');
  await httpsEdge(
    ngrok,
    ['shop.example.com:443'],
    [
      { matchType: 'path_prefix', match: '/api', backendId: await httpResponseBackend(ngrok, 'api') },
      { matchType: 'path_prefix', match: '/api/v2', backendId: await httpResponseBackend(ngrok, 'api v2') },
      { matchType: 'exact_path', match: '/api/health', backendId: await httpResponseBackend(ngrok, 'health') },
      { matchType: 'exact_path', match: '/', backendId: await httpResponseBackend(ngrok, 'home') },
    ],
  );
  await edge.snapshots.settled();
  const get = (path: string) => request(`https://shop.example.com:${edge.ports.https}${path}`, { ca: edge.caPem });
  assert.equal((await get('/')).body.toString(), 'home');
  assert.equal((await get('/api/users?x=1')).body.toString(), 'api');
  assert.equal((await get('/api/v2/users')).body.toString(), 'api v2');
  assert.equal((await get('/api/health')).body.toString(), 'health');
  const miss = await get('/blog');
  assert.equal(miss.status, 404);
  assert.equal(miss.headers['portico-error-code'], 'ERR_EDGE_ROUTE_NOT_FOUND');
});
