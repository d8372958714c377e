import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Ngrok } from '@ngrok/ngrok-api';
import { ownsHostname } from '../../src/config/ownership/hostnames.ts';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { startTestEdge, type TestEdge } from '../support/edge.ts';

type ApiErr = { errorCode?: string; statusCode?: number; msg?: string };
const code = (expected: string) => (e: ApiErr) => e.errorCode === expected;

async function rawCreate(edge: TestEdge, body: Record<string, unknown>, apiKey?: string) {
  return apiFetch(edge, 'POST', '/reserved_domains', body, apiKey);
}

async function crud(edge: TestEdge, ngrok: Ngrok) {
  const rd = await ngrok.reservedDomains.create({
    domain: 'App.Example.Test.',
    region: undefined as unknown as string,
    description: 'app',
    metadata: '{"k":1}',
  });
  assert.match(rd.id, /^rd_[0-9a-z]{27}$/);
  assert.equal(rd.uri, `${edge.bootstrap.api_url}/reserved_domains/${rd.id}`);
  assert.equal(rd.domain, 'app.example.test');
  assert.equal(rd.region, 'local');
  assert.equal(rd.certificate, null);
  assert.equal(rd.certificateManagementPolicy, null);
  assert.equal(rd.certificateManagementStatus, null);
  assert.equal(rd.cnameTarget, null);
  assert.deepEqual(await ngrok.reservedDomains.get(rd.id), rd);

  const more = [];
  for (let i = 0; i < 5; i++)
    more.push(await ngrok.reservedDomains.create({ domain: `n${i}.example.test`, region: 'local' }));
  const listed = await ngrok.reservedDomains.list(undefined, '2');
  assert.deepEqual(
    listed.map((d) => d.id),
    [rd, ...more].map((d) => d.id).reverse(),
  );
  const page = await apiFetch(edge, 'GET', '/reserved_domains?limit=2');
  assert.equal((page.body.reserved_domains as unknown[]).length, 2);
  assert.match(String(page.body.next_page_uri), /before_id=rd_/);

  const updated = await ngrok.reservedDomains.update({ id: rd.id, description: 'app v2' });
  assert.equal(updated.description, 'app v2');
  assert.equal(updated.metadata, '{"k":1}');
  for (const d of more) assert.deepEqual(await ngrok.reservedDomains.delete(d.id), {});
  return rd;
}

test('reserved domains through @ngrok/ngrok-api: CRUD, paging, certificate policy, errors, isolation', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const rd = await crud(edge, ngrok);

  // Certificate management policy: defaults, the XOR rule, the authority, the sub-path deletes.
  const managed = await ngrok.reservedDomains.create({
    domain: 'managed.example.test',
    region: 'local',
    certificateManagementPolicy: { authority: 'letsencrypt', privateKeyType: 'rsa' },
  });
  assert.deepEqual(managed.certificateManagementPolicy, { authority: 'letsencrypt', privateKeyType: 'rsa' });
  const defaulted = await apiFetch(edge, 'PATCH', `/reserved_domains/${rd.id}`, { certificate_management_policy: {} });
  assert.deepEqual(defaulted.body.certificate_management_policy, {
    authority: 'letsencrypt',
    private_key_type: 'ecdsa',
  });
  await assert.rejects(ngrok.reservedDomains.deleteCertificate(rd.id), code('ERR_NGROK_436'));
  assert.deepEqual(await ngrok.reservedDomains.deleteCertificateManagementPolicy(rd.id), {});
  assert.equal((await ngrok.reservedDomains.get(rd.id)).certificateManagementPolicy, null);
  assert.deepEqual(await ngrok.reservedDomains.deleteCertificate(rd.id), {});
  await assert.rejects(
    ngrok.reservedDomains.create({
      domain: 'x.example.test',
      region: 'local',
      certificateId: 'cert_x',
      certificateManagementPolicy: { authority: 'letsencrypt', privateKeyType: 'ecdsa' },
    }),
    code('ERR_NGROK_434'),
  );
  await assert.rejects(
    ngrok.reservedDomains.update({
      id: rd.id,
      certificateId: 'cert_x',
      certificateManagementPolicy: { authority: 'letsencrypt', privateKeyType: 'ecdsa' },
    }),
    code('ERR_NGROK_434'),
  );
  assert.equal(
    (await rawCreate(edge, { domain: 'y.example.test', certificate_management_policy: { authority: 'zerossl' } })).body
      .error_code,
    'ERR_NGROK_435',
  );
  assert.equal(
    (await rawCreate(edge, { domain: 'y.example.test', certificate_management_policy: { private_key_type: 'dsa' } }))
      .body.error_code,
    'ERR_NGROK_215',
  );
  assert.equal(
    (await rawCreate(edge, { domain: 'y.example.test', certificate_id: 'cert_00000000000000000000000000' })).body
      .error_code,
    'ERR_NGROK_1965',
  );

  // Names: syntax codes, region, duplicates.
  const bad: Array<[string, string]> = [
    ['', 'ERR_NGROK_406'],
    ['a'.repeat(64) + '.example.test', 'ERR_NGROK_408'],
    [`${'abcdefghi.'.repeat(26)}test`, 'ERR_NGROK_407'],
    ['localhostonly', 'ERR_NGROK_409'],
    ['bad_name.example.test', 'ERR_NGROK_410'],
    ['-bad.example.test', 'ERR_NGROK_411'],
    ['foo.*.example.test', 'ERR_NGROK_402'],
    ['*example.test', 'ERR_NGROK_402'],
    ['*.test', 'ERR_NGROK_403'],
  ];
  for (const [domain, expected] of bad) {
    const res = await rawCreate(edge, { domain });
    assert.equal(res.status, 400, domain);
    assert.equal(res.body.error_code, expected, `${domain}: ${String(res.body.msg)}`);
  }
  assert.equal((await rawCreate(edge, { domain: 'r.example.test', region: 'mars' })).body.error_code, 'ERR_NGROK_400');
  const eu = await rawCreate(edge, { domain: 'eu.example.test', region: 'eu' });
  assert.equal(eu.status, 201);
  assert.equal(eu.body.region, 'eu');
  assert.equal((await rawCreate(edge, { domain: 'APP.example.test' })).body.error_code, 'ERR_NGROK_413');
  assert.equal((await rawCreate(edge, {})).body.error_code, 'ERR_NGROK_215');
  await assert.rejects(ngrok.reservedDomains.get('rd_00000000000000000000000000'), (e: ApiErr) => e.statusCode === 404);

  // Another account: sees nothing, cannot touch, cannot take the same name.
  const other = await otherAccount(edge);
  assert.deepEqual(
    (await apiFetch(edge, 'GET', '/reserved_domains', undefined, other.apiKey)).body.reserved_domains,
    [],
  );
  for (const method of ['GET', 'PATCH', 'DELETE'])
    assert.equal(
      (await apiFetch(edge, method, `/reserved_domains/${rd.id}`, method === 'PATCH' ? {} : undefined, other.apiKey))
        .status,
      404,
    );
  assert.equal(
    (await apiFetch(edge, 'DELETE', `/reserved_domains/${rd.id}/certificate`, undefined, other.apiKey)).status,
    404,
  );
  assert.equal((await rawCreate(edge, { domain: 'app.example.test' }, other.apiKey)).body.error_code, 'ERR_NGROK_414');

  // Delete is refused while an edge uses the name (hostport "app.example.test:443").
  await edge.store.resources.create(edge.credentials.accountId, 'https_edge', 'edghts', {
    description: '',
    metadata: '',
    hostports: ['app.example.test:443'],
  });
  await assert.rejects(ngrok.reservedDomains.delete(rd.id), code('ERR_NGROK_446'));
  assert.deepEqual(await ngrok.reservedDomains.delete(managed.id), {});
});

test('wildcard rules: one account per subtree, own names under own wildcard, names under --domain first come', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const other = await otherAccount(edge);
  const mine = edge.credentials.accountId;

  const wildcard = await ngrok.reservedDomains.create({ domain: '*.example.test', region: 'local' });
  assert.equal(wildcard.domain, '*.example.test');
  // Our own names (and nested wildcards) under our wildcard are fine.
  const own = await ngrok.reservedDomains.create({ domain: 'deep.a.example.test', region: 'local' });
  await ngrok.reservedDomains.create({ domain: '*.b.example.test', region: 'local' });
  // Nobody else may reserve anything under it, at any depth; the apex is not under it.
  for (const domain of ['foo.example.test', 'x.y.z.example.test', '*.c.example.test', '*.example.test']) {
    const res = await rawCreate(edge, { domain }, other.apiKey);
    assert.equal(res.body.error_code, 'ERR_NGROK_414', domain);
  }
  assert.equal((await rawCreate(edge, { domain: 'example.test' }, other.apiKey)).status, 201);
  // The other way round: a wildcard over someone else's name is refused.
  assert.equal((await rawCreate(edge, { domain: 'theirs.other.test' }, other.apiKey)).status, 201);
  const over = await rawCreate(edge, { domain: '*.other.test' });
  assert.equal(over.body.error_code, 'ERR_NGROK_417');
  assert.match(String(over.body.msg), /another account/);

  assert.equal(await ownsHostname(edge.store, mine, 'x.y.example.test'), true);
  assert.equal(await ownsHostname(edge.store, mine, '*.q.example.test'), true);
  assert.equal(await ownsHostname(edge.store, mine, 'example.test'), false);
  assert.equal(await ownsHostname(edge.store, other.accountId, 'x.y.example.test'), false);
  assert.equal(await ownsHostname(edge.store, other.accountId, 'THEIRS.other.test.'), true);

  // Names under the edge's own domain are reserved like any other: first come.
  assert.equal((await rawCreate(edge, { domain: 'named.localhost' }, other.apiKey)).status, 201);
  assert.equal((await rawCreate(edge, { domain: 'named.localhost' })).body.error_code, 'ERR_NGROK_414');

  // Deleting the wildcard is refused while an edge relies on it for a name under it.
  const edgeRecord = await edge.store.resources.create(mine, 'https_edge', 'edghts', {
    description: '',
    metadata: '',
    hostports: ['svc.example.test:443', 'deep.a.example.test:443'],
  });
  await assert.rejects(ngrok.reservedDomains.delete(wildcard.id), code('ERR_NGROK_446'));
  await edge.store.resources.update(mine, 'https_edge', edgeRecord.id, {
    description: '',
    metadata: '',
    hostports: ['deep.a.example.test:443'],
  });
  // deep.a.example.test has its own reservation, so the wildcard may go.
  assert.deepEqual(await ngrok.reservedDomains.delete(wildcard.id), {});
  await assert.rejects(ngrok.reservedDomains.delete(own.id), code('ERR_NGROK_446'));
  // With the wildcard gone, the other account may reserve under it.
  assert.equal((await rawCreate(edge, { domain: 'foo.example.test' }, other.apiKey)).status, 201);
});

test('reserved domains: resolves_to is stored, echoed, replaced by PATCH and checked', async (t) => {
  const edge = await startTestEdge(t);
  const made = await rawCreate(edge, {
    domain: 'rt.example.test',
    resolves_to: [{ value: 'eu' }, { value: 'global' }],
  });
  assert.equal(made.status, 201);
  assert.deepEqual(made.body.resolves_to, [{ value: 'eu' }, { value: 'global' }]);
  const id = String(made.body.id);
  assert.deepEqual((await apiFetch(edge, 'GET', `/reserved_domains/${id}`)).body.resolves_to, [
    { value: 'eu' },
    { value: 'global' },
  ]);
  const patched = await apiFetch(edge, 'PATCH', `/reserved_domains/${id}`, { resolves_to: [{ value: 'local' }] });
  assert.deepEqual(patched.body.resolves_to, [{ value: 'local' }]);
  assert.deepEqual((await apiFetch(edge, 'PATCH', `/reserved_domains/${id}`, { description: 'x' })).body.resolves_to, [
    { value: 'local' },
  ]);
  const plain = await rawCreate(edge, { domain: 'plain.example.test' });
  assert.equal(plain.body.resolves_to, null);
  const bad = await apiFetch(edge, 'PATCH', `/reserved_domains/${id}`, { resolves_to: [{ value: 'mars' }] });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error_code, 'ERR_NGROK_215');
});
