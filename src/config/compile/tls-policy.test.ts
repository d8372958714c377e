import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTlsPolicy, defaultTlsPolicy } from './tls-policy.ts';

test('policies: default 1.2 without client CAs; modules set the version and resolve CA ids', () => {
  assert.equal(defaultTlsPolicy.minVersion, '1.2');
  assert.equal(defaultTlsPolicy.clientCaPem, undefined);
  const pems: Record<string, string> = { ca_1: 'PEM-1\n', ca_2: 'PEM-2' };
  const policy = compileTlsPolicy(
    { tls_termination: { min_version: '1.0' }, mutual_tls: { certificate_authority_ids: ['ca_1', 'ca_2'] } },
    (id) => pems[id],
  );
  assert.equal(policy.minVersion, '1.0');
  assert.equal(policy.clientCaPem, 'PEM-1\nPEM-2\n');
  assert.notEqual(policy.key, defaultTlsPolicy.key);
  assert.equal(
    compileTlsPolicy({ tls_termination: { enabled: false, min_version: '1.0' } }, () => undefined).key,
    defaultTlsPolicy.key,
  );
  assert.throws(
    () => compileTlsPolicy({ mutual_tls: { certificate_authority_ids: ['ca_9'] } }, () => undefined),
    /certificate_authority_ids\[0\]: ca_9 does not exist/,
  );
});
