import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forward, listenSpecFor } from '../../src/agent/forward.ts';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { defer } from '../support/defer.ts';
import { startTestEdge } from '../support/edge.ts';
import { eventually, startHttpService } from '../support/services.ts';

const refusedWith = (code: string) => (err: Error & { code?: string }) =>
  err.code === code || err.message.includes(code);

test('reserved domains and addresses stop at the account limit; a raised limit applies at once', async (t) => {
  const edge = await startTestEdge(t);
  const small = await otherAccount(edge, 'small');
  await edge.store.accountLimits.set(small.accountId, { max_reserved_domains: 2, max_reserved_addrs: 1 });
  const as = (method: string, path: string, body?: unknown) => apiFetch(edge, method, path, body, small.apiKey);

  assert.equal((await as('POST', '/reserved_domains', { domain: 'a.example.test' })).status, 201);
  const second = await as('POST', '/reserved_domains', { domain: 'b.example.test' });
  assert.equal(second.status, 201);
  const over = await as('POST', '/reserved_domains', { domain: 'c.example.test' });
  assert.equal(over.status, 400);
  assert.equal(over.body.error_code, 'ERR_NGROK_415');
  assert.match(String(over.body.msg), /holds 2 reserved domains and may hold 2/);
  // An edge created without hostports reserves a generated name: refused the same way.
  assert.equal((await as('POST', '/edges/https', {})).body.error_code, 'ERR_NGROK_415');
  assert.deepEqual((await as('GET', '/edges/https')).body.https_edges, [], 'the refused edge is not kept');
  // Another account is not held back by this one.
  assert.equal((await apiFetch(edge, 'POST', '/reserved_domains', { domain: 'mine.example.test' })).status, 201);
  // Deleting one frees a place; raising the limit (as `portico account limits` does) applies without a restart.
  assert.equal((await as('DELETE', `/reserved_domains/${second.body.id}`)).status, 200);
  assert.equal((await as('POST', '/reserved_domains', { domain: 'c.example.test' })).status, 201);
  await edge.store.accountLimits.set(small.accountId, { max_reserved_domains: 3 });
  assert.equal((await as('POST', '/reserved_domains', { domain: 'd.example.test' })).status, 201);

  assert.equal((await as('POST', '/reserved_addrs', {})).status, 201);
  const addrOver = await as('POST', '/reserved_addrs', {});
  assert.equal(addrOver.status, 400);
  assert.equal(addrOver.body.error_code, 'ERR_NGROK_508');
  assert.equal((await as('POST', '/edges/tcp', {})).body.error_code, 'ERR_NGROK_508');
});

test('API requests per minute: 429 ERR_NGROK_226 with Retry-After past the limit, per account, changeable live', async (t) => {
  const edge = await startTestEdge(t);
  const busy = await otherAccount(edge, 'busy');
  await edge.store.accountLimits.set(busy.accountId, { max_api_requests_per_minute: 5 });
  for (let i = 0; i < 5; i++)
    assert.equal((await apiFetch(edge, 'GET', '/ip_policies', undefined, busy.apiKey)).status, 200);

  const res = await fetch(`${edge.bootstrap.api_url}/ip_policies`, {
    headers: { authorization: `Bearer ${busy.apiKey}`, 'ngrok-version': '2' },
  });
  assert.equal(res.status, 429);
  const retryAfter = Number(res.headers.get('retry-after'));
  assert.ok(
    Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
    `Retry-After: ${res.headers.get('retry-after')}`,
  );
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body.error_code, 'ERR_NGROK_226');
  assert.equal(body.status_code, 429);
  assert.match(String((body.details as Record<string, string>).operation_id), /^op_/);
  // The official client surfaces it as an API error with the code.
  await assert.rejects(
    apiClient(edge, busy.apiKey).ipPolicies.list(),
    (e: { errorCode?: string; statusCode?: number }) => e.errorCode === 'ERR_NGROK_226' && e.statusCode === 429,
  );

  // Other accounts, and unauthenticated paths, are not affected.
  assert.equal((await apiFetch(edge, 'GET', '/ip_policies')).status, 200);
  assert.equal((await fetch(`${edge.bootstrap.api_url}/health`)).status, 200);
  // 0 stops the account's API use altogether; raising the limit lets the next request pass, without a restart.
  await edge.store.accountLimits.set(busy.accountId, { max_api_requests_per_minute: 0 });
  assert.equal((await apiFetch(edge, 'GET', '/ip_policies', undefined, busy.apiKey)).status, 429);
  await edge.store.accountLimits.set(busy.accountId, { max_api_requests_per_minute: 100 });
  assert.equal((await apiFetch(edge, 'GET', '/ip_policies', undefined, busy.apiKey)).status, 200);
});

test('agent sessions per account and tunnels per session stop at the limits (ERR_NGROK_108, ERR_NGROK_324)', async (t) => {
  const edge = await startTestEdge(t);
  const agent = await otherAccount(edge, 'agents');
  await edge.store.accountLimits.set(agent.accountId, { max_sessions: 1, max_tunnels_per_session: 2 });
  const web = await startHttpService(t, (_req, res) => res.end('ok'));
  const common = { serverAddr: edge.serverAddr, caCert: edge.caPem, addr: web.port, authtoken: agent.authtoken };

  const first = await forward(common);
  defer(t, () => first.close());
  // One session: a second agent of the account is refused at Auth with ngrok's code.
  await assert.rejects(forward(common), refusedWith('ERR_NGROK_108'));
  // Other accounts connect as usual.
  const theirs = await forward({ ...common, authtoken: edge.credentials.authtoken });
  await theirs.close();

  // Two tunnels per session: the third bind is refused, a labeled tunnel counts too.
  await first.session.listen(listenSpecFor({ addr: web.port, subdomain: 'second' }));
  await assert.rejects(
    first.session.listen(listenSpecFor({ addr: web.port, subdomain: 'third' })),
    refusedWith('ERR_NGROK_324'),
  );
  await assert.rejects(
    first.session.listen(listenSpecFor({ addr: web.port, labels: { app: 'x' } })),
    refusedWith('ERR_NGROK_324'),
  );
  // Raised limits apply to the next bind and the next Auth.
  await edge.store.accountLimits.set(agent.accountId, { max_sessions: 2, max_tunnels_per_session: 3 });
  await first.session.listen(listenSpecFor({ addr: web.port, subdomain: 'third' }));
  const second = await forward(common);
  await second.close();
  await eventually(
    () => [...edge.registry.tunnels.values()].filter((tn) => tn.session.accountId === agent.accountId).length === 3,
    10_000,
    "the first session's three tunnels left",
  );
});
