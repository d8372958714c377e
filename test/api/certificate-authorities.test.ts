import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { makeTestPki, type TestPki } from '../support/openssl-pki.ts';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';

type ApiErr = { errorCode?: string; statusCode?: number; msg?: string };

let pki: TestPki;
before(async () => {
  pki = await makeTestPki();
});

test('certificate authorities through @ngrok/ngrok-api: CRUD, paging, parsed fields, errors, in use, isolation', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const ca = await ngrok.certificateAuthorities.create({ caPem: pki.rootPem, description: 'root', metadata: 'm' });
  assert.match(ca.id, /^ca_[0-9a-z]{27}$/);
  assert.equal(ca.uri, `${edge.bootstrap.api_url}/certificate_authorities/${ca.id}`);
  assert.equal(ca.subjectCommonName, 'Portico Test Root');
  assert.deepEqual(ca.keyUsages, ['cert_sign', 'crl_sign']);
  assert.deepEqual(ca.extendedKeyUsages, []);
  assert.equal(ca.caPem, pki.rootPem);
  assert.match(String(ca.notAfter), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(await ngrok.certificateAuthorities.get(ca.id), ca);

  const more = [ca];
  for (let i = 0; i < 4; i++)
    more.push(await ngrok.certificateAuthorities.create({ caPem: i % 2 ? pki.rootPem : pki.interPem }));
  assert.equal(more[1]!.subjectCommonName, 'Portico Test Intermediate');
  assert.deepEqual(
    (await ngrok.certificateAuthorities.list(undefined, '2')).map((c) => c.id),
    more.map((c) => c.id).reverse(),
  );
  const updated = await ngrok.certificateAuthorities.update({ id: ca.id, description: 'root v2' });
  assert.equal(updated.description, 'root v2');
  assert.equal(updated.caPem, pki.rootPem);

  // Errors: garbage, a leaf that is not a CA, a missing field, unknown id.
  const garbage = await apiFetch(edge, 'POST', '/certificate_authorities', { ca_pem: 'garbage' });
  assert.equal(garbage.status, 400);
  assert.equal(garbage.body.error_code, 'ERR_CERT_PEM_INVALID');
  assert.match(String(garbage.body.msg), /^ca_pem: /);
  await assert.rejects(
    ngrok.certificateAuthorities.create({ caPem: pki.leaves['ec-sec1'].certPem }),
    (e: ApiErr) => e.errorCode === 'ERR_NGROK_1913' && /not a CA/.test(e.msg ?? ''),
  );
  assert.equal((await apiFetch(edge, 'POST', '/certificate_authorities', {})).body.error_code, 'ERR_NGROK_215');
  await assert.rejects(
    ngrok.certificateAuthorities.get('ca_00000000000000000000000000'),
    (e: ApiErr) => e.statusCode === 404,
  );

  // Isolation.
  const other = await otherAccount(edge);
  assert.deepEqual(
    (await apiFetch(edge, 'GET', '/certificate_authorities', undefined, other.apiKey)).body.certificate_authorities,
    [],
  );
  for (const method of ['GET', 'PATCH', 'DELETE'])
    assert.equal(
      (
        await apiFetch(
          edge,
          method,
          `/certificate_authorities/${ca.id}`,
          method === 'PATCH' ? {} : undefined,
          other.apiKey,
        )
      ).status,
      404,
    );

  // In use by a mutual_tls module: refused; once the edge lets go, deleted.
  const user = await edge.store.resources.create(edge.credentials.accountId, 'https_edge', 'edghts', {
    description: '',
    metadata: '',
    hostports: [],
    mutual_tls: { enabled: true, certificate_authority_ids: [ca.id] },
  });
  await assert.rejects(
    ngrok.certificateAuthorities.delete(ca.id),
    (e: ApiErr) => e.errorCode === 'ERR_NGROK_27615' && (e.msg ?? '').includes(user.id),
  );
  await edge.store.resources.delete(edge.credentials.accountId, 'https_edge', user.id);
  for (const c of more) assert.deepEqual(await ngrok.certificateAuthorities.delete(c.id), {});
  assert.deepEqual(await ngrok.certificateAuthorities.list(), []);
});
