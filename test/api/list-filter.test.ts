import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, apiFetch } from '../support/api.ts';
import { startTestEdge, type TestEdge } from '../support/edge.ts';

type Listed = { id: string; [field: string]: unknown };

async function listIds(edge: TestEdge, path: string, key: string, filter: string, limit = 100): Promise<string[]> {
  const res = await apiFetch(edge, 'GET', `${path}?limit=${limit}&filter=${encodeURIComponent(filter)}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return (res.body[key] as Listed[]).map((item) => item.id);
}

test('list filter: CEL over the read shape (equality, startsWith, in, boolean combinations), then paging', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const names = ['app.example.test', 'api.example.test', 'www.other.test', 'app.other.test', 'db.example.test'];
  const domains: Array<{ id: string }> = [];
  for (const [i, domain] of names.entries())
    domains.push(
      await ngrok.reservedDomains.create({
        domain,
        region: 'local',
        description: i % 2 ? 'odd' : 'even',
        metadata: `${i}`,
      }),
    );
  const id = (domain: string) => domains[names.indexOf(domain)]!.id;
  const newestFirst = (...ds: string[]) => ds.map(id).sort().reverse();

  const list = (filter: string, limit?: number) =>
    listIds(edge, '/reserved_domains', 'reserved_domains', filter, limit);
  assert.deepEqual(await list('obj.domain == "app.example.test"'), [id('app.example.test')]);
  assert.deepEqual(await list('obj.domain.startsWith("app.")'), newestFirst('app.example.test', 'app.other.test'));
  assert.deepEqual(await list('obj.domain.endsWith(".other.test")'), newestFirst('www.other.test', 'app.other.test'));
  assert.deepEqual(await list('obj.metadata in ["1", "3"]'), newestFirst('api.example.test', 'app.other.test'));
  assert.deepEqual(
    await list('obj.description == "even" && !obj.domain.startsWith("app.") || obj.metadata == "1"'),
    newestFirst('www.other.test', 'db.example.test', 'api.example.test'),
  );
  assert.deepEqual(
    await list('(obj.certificate == null) && obj.region == "local" && obj.id == "' + id('db.example.test') + '"'),
    [id('db.example.test')],
  );
  assert.deepEqual(await list('obj.domain.matches("^(?i)API\\\\.")'), [id('api.example.test')]);
  assert.deepEqual(await list('false'), []);
  // ngrok's time helpers, over created_at as a timestamp.
  assert.deepEqual(await list('obj.created_at > timestamp(time.now).subtract("1h")'), newestFirst(...names));
  assert.deepEqual(await list('obj.created_at < timestamp(time.now).subtract("1h")'), []);

  // Filter, then page: the next page keeps the filter and is never empty.
  const first = await apiFetch(
    edge,
    'GET',
    `/reserved_domains?limit=2&filter=${encodeURIComponent('obj.domain.endsWith(".test")')}`,
  );
  assert.deepEqual(
    (first.body.reserved_domains as Listed[]).map((d) => d.id),
    newestFirst(...names).slice(0, 2),
  );
  const next = new URL(String(first.body.next_page_uri));
  assert.equal(next.searchParams.get('filter'), 'obj.domain.endsWith(".test")');
  const second = await apiFetch(edge, 'GET', next.pathname + next.search);
  assert.deepEqual(
    (second.body.reserved_domains as Listed[]).map((d) => d.id),
    newestFirst(...names).slice(2, 4),
  );
  const filtered = await apiFetch(
    edge,
    'GET',
    `/reserved_domains?limit=1&filter=${encodeURIComponent('obj.metadata in ["1","3"]')}`,
  );
  const page2 = new URL(String(filtered.body.next_page_uri));
  const last = await apiFetch(edge, 'GET', page2.pathname + page2.search);
  assert.deepEqual(
    (last.body.reserved_domains as Listed[]).map((d) => d.id),
    [id('api.example.test')],
  );
  assert.equal(last.body.next_page_uri, null);

  // Other lists take the same filter.
  const policy = await ngrok.ipPolicies.create({ description: 'office' });
  await ngrok.ipPolicies.create({ description: 'home' });
  assert.deepEqual(await listIds(edge, '/ip_policies', 'ip_policies', 'obj.description == "office"'), [policy.id]);
  const keys = await listIds(edge, '/api_keys', 'keys', 'obj.token == null && obj.owner_id == null');
  assert.equal(keys.length, 1);
  assert.deepEqual(await listIds(edge, '/tunnel_sessions', 'tunnel_sessions', 'obj.transport == "ngrok/v2"'), []);
});

test('list filter: a malformed, non-boolean or unknown-field filter answers 400 ERR_NGROK_250; an oversized one ERR_FILTER_TOO_COSTLY', async (t) => {
  const edge = await startTestEdge(t);
  await apiClient(edge).ipPolicies.create({ description: 'one' });
  const refused: Array<[string, string]> = [
    ['obj.description ==', 'ERR_NGROK_250'],
    ['obj.description', 'ERR_NGROK_250'],
    ['obj.no_such_field == "x"', 'ERR_NGROK_250'],
    ['1 + "a" == 2', 'ERR_NGROK_250'],
    ['x'.repeat(1025), 'ERR_FILTER_TOO_COSTLY'],
    [Array(170).fill('1==1').join('||'), 'ERR_FILTER_TOO_COSTLY'],
    ['[1,2].all(a, [3,4].exists(b, b > a))', 'ERR_FILTER_TOO_COSTLY'],
  ];
  for (const [filter, code] of refused) {
    const res = await apiFetch(edge, 'GET', `/ip_policies?filter=${encodeURIComponent(filter)}`);
    assert.equal(res.status, 400, filter);
    assert.equal(res.body.error_code, code, filter);
    assert.equal((res.body.details as Record<string, string>).field, 'filter');
  }
  // A blank filter is no filter.
  const all = await apiFetch(edge, 'GET', '/ip_policies?filter=');
  assert.equal((all.body.ip_policies as unknown[]).length, 1);
});
