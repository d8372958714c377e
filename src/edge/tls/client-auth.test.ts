import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { rfc4514Subject } from './client-auth.ts';

test('subjects read most specific first, with RFC 4514 escapes', async () => {
  const cert = { subject: 'C=DE\nO=Example, Inc\nCN=alice' } as unknown as X509Certificate;
  assert.equal(rfc4514Subject(cert), 'CN=alice,O=Example\\, Inc,C=DE');
});
