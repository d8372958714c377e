import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';

type ApiErr = { errorCode?: string; statusCode?: number; msg?: string };

test('reserved addresses through @ngrok/ngrok-api: assigned by the edge, CRUD, paging, errors, in use, isolation', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const ra = await ngrok.reservedAddrs.create({ description: 'db', metadata: 'm', region: 'local' });
  assert.match(ra.id, /^ra_[0-9a-z]{27}$/);
  assert.equal(ra.uri, `${edge.bootstrap.api_url}/reserved_addrs/${ra.id}`);
  assert.match(ra.addr, /^localhost:\d+$/);
  assert.equal(ra.region, 'local');
  assert.deepEqual(await ngrok.reservedAddrs.get(ra.id), ra);

  // The user never chooses the address: an addr in the body is ignored; region defaults.
  const more = [ra];
  for (let i = 0; i < 4; i++)
    more.push(
      await ngrok.reservedAddrs.create({ region: undefined as unknown as string, addr: 'localhost:1' } as never),
    );
  assert.equal(new Set(more.map((r) => r.addr)).size, more.length);
  assert.ok(more.every((r) => r.addr !== 'localhost:1' && r.region === 'local'));
  assert.deepEqual(
    (await ngrok.reservedAddrs.list(undefined, '2')).map((r) => r.id),
    more.map((r) => r.id).reverse(),
  );
  const page = await apiFetch(edge, 'GET', '/reserved_addrs?limit=3');
  assert.equal((page.body.reserved_addrs as unknown[]).length, 3);
  assert.match(String(page.body.next_page_uri), /before_id=ra_/);

  const updated = await ngrok.reservedAddrs.update({ id: ra.id, description: 'db v2' });
  assert.equal(updated.description, 'db v2');
  assert.equal(updated.addr, ra.addr);

  // Errors.
  // ngrok's region codes are recorded and echoed as sent; anything else is refused.
  for (const code of ['us', 'eu', 'ap', 'au', 'sa', 'jp', 'in', 'local']) {
    const made = await apiFetch(edge, 'POST', '/reserved_addrs', { region: code });
    assert.equal(made.status, 201);
    assert.equal(made.body.region, code);
    assert.equal((await apiFetch(edge, 'GET', `/reserved_addrs/${String(made.body.id)}`)).body.region, code);
    await apiFetch(edge, 'DELETE', `/reserved_addrs/${String(made.body.id)}`);
  }
  const region = await apiFetch(edge, 'POST', '/reserved_addrs', { region: 'mars' });
  assert.equal(region.status, 400);
  assert.equal(region.body.error_code, 'ERR_NGROK_400');
  assert.equal(
    (await apiFetch(edge, 'POST', '/reserved_addrs', { description: 'x'.repeat(256) })).body.error_code,
    'ERR_NGROK_420',
  );
  await assert.rejects(ngrok.reservedAddrs.get('ra_00000000000000000000000000'), (e: ApiErr) => e.statusCode === 404);

  // Isolation.
  const other = await otherAccount(edge);
  assert.deepEqual((await apiFetch(edge, 'GET', '/reserved_addrs', undefined, other.apiKey)).body.reserved_addrs, []);
  for (const method of ['GET', 'PATCH', 'DELETE'])
    assert.equal(
      (await apiFetch(edge, method, `/reserved_addrs/${ra.id}`, method === 'PATCH' ? {} : undefined, other.apiKey))
        .status,
      404,
    );

  // In use by a TCP edge: refused.
  const user = await edge.store.resources.create(edge.credentials.accountId, 'tcp_edge', 'edgtcp', {
    description: '',
    metadata: '',
    hostports: [ra.addr],
  });
  await assert.rejects(
    ngrok.reservedAddrs.delete(ra.id),
    (e: ApiErr) => e.errorCode === 'ERR_NGROK_27615' && (e.msg ?? '').includes(user.id),
  );
  await edge.store.resources.delete(edge.credentials.accountId, 'tcp_edge', user.id);
  for (const r of more) assert.deepEqual(await ngrok.reservedAddrs.delete(r.id), {});
  assert.deepEqual(await ngrok.reservedAddrs.list(), []);
});
