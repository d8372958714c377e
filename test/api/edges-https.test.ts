import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';
import { errorCode, fixtures, status } from './edges-fixtures.ts';

test('HTTPS edges: hostports (generated, reserved, wildcard), paging, update, edge modules, errors, isolation', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const { edgesHttps } = ngrok.edges;
  const { httpsEdgeMutualTlsModule: mtls, httpsEdgeTlsTerminationModule: tlsTerm } = ngrok.edgeModules;
  const { caId } = await fixtures(edge, ngrok);

  // Without hostports: a generated name under --domain, reserved for the account.
  const generated = await edgesHttps.create({ description: 'edge one' });
  assert.match(generated.id, /^edghts_[0-9a-z]{27}$/);
  assert.equal(generated.uri, `${edge.bootstrap.api_url}/edges/https/${generated.id}`);
  assert.equal(generated.description, 'edge one');
  assert.equal(generated.hostports!.length, 1);
  assert.match(generated.hostports![0]!, /^[a-z2-7]{12}\.localhost:443$/);
  assert.deepEqual(generated.routes, []);
  assert.equal(generated.mutualTls, null);
  assert.equal(generated.tlsTermination, null);
  assert.deepEqual(await edgesHttps.get(generated.id), generated);
  const host = generated.hostports![0]!.replace(/:443$/, '');
  const reservation = (await ngrok.reservedDomains.list()).find((d) => d.domain === host);
  assert.equal(reservation?.description, `created for edge ${generated.id}`);

  // Reserved names, and names under the account's own wildcard at any depth.
  await ngrok.reservedDomains.create({ domain: 'app.example.test', region: 'local' });
  await ngrok.reservedDomains.create({ domain: '*.apps.example.test', region: 'local' });
  const named = await edgesHttps.create({
    hostports: ['App.Example.Test:443', 'deep.x.apps.example.test:443', 'app.example.test:443'],
  });
  assert.deepEqual(named.hostports, ['app.example.test:443', 'deep.x.apps.example.test:443']);
  await assert.rejects(edgesHttps.create({ hostports: ['app.example.test:443'] }), errorCode('ERR_NGROK_381'));
  const notOurs = await apiFetch(edge, 'POST', '/edges/https', { hostports: ['app.example.org:443'] });
  assert.equal(notOurs.status, 400);
  assert.equal(notOurs.body.error_code, 'ERR_NGROK_7118');
  assert.match(String(notOurs.body.msg), /hostports\[0\]: app\.example\.org:443/);
  assert.equal(
    (await apiFetch(edge, 'POST', '/edges/https', { hostports: ['app.example.test:80'] })).body.error_code,
    'ERR_NGROK_7104',
  );
  assert.equal(
    (await apiFetch(edge, 'POST', '/edges/https', { hostports: ['app.example.test'] })).body.error_code,
    'ERR_NGROK_7104',
  );
  // A domain used by an edge cannot be released.
  await assert.rejects(
    ngrok.reservedDomains.delete((await ngrok.reservedDomains.list()).find((d) => d.domain === 'app.example.test')!.id),
    status(400),
  );

  // Modules in the create body; defaults filled in on read.
  const withModules = await edgesHttps.create({ mutualTls: { certificateAuthorityIds: [caId] }, tlsTermination: {} });
  assert.deepEqual(withModules.mutualTls, {
    enabled: true,
    certificateAuthorities: [{ id: caId, uri: `${edge.bootstrap.api_url}/certificate_authorities/${caId}` }],
  });
  assert.deepEqual(withModules.tlsTermination, { enabled: true, terminateAt: 'edge', minVersion: '1.2' });

  // Paging across pages, newest first.
  const more = [];
  for (let i = 0; i < 3; i++) more.push(await edgesHttps.create({ description: `more ${i}` }));
  const all = [generated, named, withModules, ...more].map((e) => e.id).reverse();
  assert.deepEqual(
    (await edgesHttps.list(undefined, '2')).map((e) => e.id),
    all,
  );
  const page = await apiFetch(edge, 'GET', '/edges/https?limit=2');
  assert.equal((page.body.https_edges as unknown[]).length, 2);
  assert.match(String(page.body.next_page_uri), /before_id=edghts_/);
  const last = await apiFetch(edge, 'GET', `/edges/https?limit=2&before_id=${all[4]}`);
  assert.deepEqual(
    (last.body.https_edges as Array<{ id: string }>).map((e) => e.id),
    [all[5]],
  );
  assert.equal(last.body.next_page_uri, null);

  // PATCH: absent fields and modules unchanged; a present module replaces.
  const patched = await edgesHttps.update({
    id: withModules.id,
    description: 'v2',
    tlsTermination: { minVersion: '1.3' },
  });
  assert.equal(patched.description, 'v2');
  assert.deepEqual(patched.tlsTermination, { enabled: true, terminateAt: 'edge', minVersion: '1.3' });
  assert.deepEqual(patched.mutualTls, withModules.mutualTls);
  assert.deepEqual(patched.hostports, withModules.hostports);
  const moved = await edgesHttps.update({ id: named.id, hostports: ['other.apps.example.test:443'] });
  assert.deepEqual(moved.hostports, ['other.apps.example.test:443']);
  assert.deepEqual((await edgesHttps.create({ hostports: ['app.example.test:443'] })).hostports, [
    'app.example.test:443',
  ]);

  // Edge modules: replace / get / delete.
  const term = await tlsTerm.replace({ id: generated.id, module: { minVersion: '1.0', enabled: false } });
  assert.deepEqual(term, { enabled: false, terminateAt: 'edge', minVersion: '1.0' });
  assert.deepEqual(await tlsTerm.get(generated.id), term);
  await assert.rejects(
    tlsTerm.replace({ id: generated.id, module: { minVersion: '1.4' } }),
    errorCode('ERR_NGROK_219'),
  );
  assert.equal(
    (await apiFetch(edge, 'PUT', `/edges/https/${generated.id}/tls_termination`, { terminate_at: 'upstream' })).body
      .error_code,
    'ERR_NGROK_224',
  );
  assert.deepEqual(await tlsTerm.delete(generated.id), {});
  await assert.rejects(tlsTerm.get(generated.id), status(404));
  const mutual = await mtls.replace({ id: generated.id, module: { certificateAuthorityIds: [caId] } });
  assert.deepEqual(mutual, withModules.mutualTls);
  assert.deepEqual(
    (await apiFetch(edge, 'PUT', `/edges/https/${generated.id}/mutual_tls`, { certificate_authority_ids: [caId] })).body
      .certificate_authorities,
    [{ id: caId, uri: `${edge.bootstrap.api_url}/certificate_authorities/${caId}` }],
  );
  await assert.rejects(
    mtls.replace({ id: generated.id, module: { certificateAuthorityIds: ['ca_nope'] } }),
    errorCode('ERR_NGROK_1672'),
  );
  await assert.rejects(
    edgesHttps.create({ mutualTls: { certificateAuthorityIds: ['ca_nope'] } }),
    errorCode('ERR_NGROK_1672'),
  );
  assert.deepEqual((await edgesHttps.get(generated.id)).mutualTls, mutual);
  // A CA in use by an edge cannot be deleted.
  await assert.rejects(ngrok.certificateAuthorities.delete(caId), status(400));
  assert.deepEqual(await mtls.delete(generated.id), {});
  assert.equal((await edgesHttps.get(generated.id)).mutualTls, null);

  // Unknown ids, bad input.
  await assert.rejects(edgesHttps.get('edghts_00000000000000000000000000'), status(404));
  await assert.rejects(tlsTerm.get('edghts_00000000000000000000000000'), status(404));
  assert.equal((await apiFetch(edge, 'PATCH', '/edges/https/edghts_nope', { description: 'x' })).status, 404);
  assert.equal(
    (await apiFetch(edge, 'POST', '/edges/https', { description: 'x'.repeat(256) })).body.error_code,
    'ERR_NGROK_420',
  );
  assert.equal(
    (await apiFetch(edge, 'POST', '/edges/https', { hostports: 'app.example.test:443' })).body.error_code,
    'ERR_NGROK_215',
  );

  // Another account sees nothing, touches nothing, and cannot use this account's names.
  const other = await otherAccount(edge);
  assert.deepEqual((await apiFetch(edge, 'GET', '/edges/https', undefined, other.apiKey)).body.https_edges, []);
  for (const [method, path] of [
    ['GET', `/edges/https/${generated.id}`],
    ['PATCH', `/edges/https/${generated.id}`],
    ['DELETE', `/edges/https/${generated.id}`],
    ['PUT', `/edges/https/${generated.id}/tls_termination`],
  ] as const) {
    assert.equal(
      (await apiFetch(edge, method, path, method === 'GET' ? undefined : {}, other.apiKey)).status,
      404,
      `${method} ${path}`,
    );
  }
  assert.equal(
    (await apiFetch(edge, 'POST', '/edges/https', { hostports: ['x.apps.example.test:443'] }, other.apiKey)).body
      .error_code,
    'ERR_NGROK_7118',
  );
  assert.equal(
    (await apiFetch(edge, 'POST', '/edges/https', { hostports: [generated.hostports![0]] }, other.apiKey)).body
      .error_code,
    'ERR_NGROK_7118',
  );

  // Delete: 200 {}; the generated reservation stays the account's.
  assert.deepEqual(await edgesHttps.delete(generated.id), {});
  await assert.rejects(edgesHttps.get(generated.id), status(404));
  assert.ok((await ngrok.reservedDomains.list()).some((d) => d.domain === host));
  assert.deepEqual((await edgesHttps.create({ hostports: [generated.hostports![0]!] })).hostports, generated.hostports);
});
