import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileAccountRestrictions } from './account-restrictions.ts';

const policies = new Map([
  ['acct_a/ipp_lan', [{ cidr: '10.0.0.0/8', action: 'allow' as const }]],
  [
    'acct_a/ipp_not_guest',
    [
      { cidr: '0.0.0.0/0', action: 'allow' as const },
      { cidr: '10.9.0.0/16', action: 'deny' as const },
    ],
  ],
]);
const record = (id: string, doc: Record<string, unknown>, account = 'acct_a') => ({ id, account_id: account, doc });

test('a source must pass every enforced restriction of the type; other types and accounts are untouched', () => {
  const { restrictions, problems } = compileAccountRestrictions(
    [
      record('ipx_1', { type: 'api', enforced: true, ip_policy_ids: ['ipp_lan'] }),
      record('ipx_2', { type: 'api', enforced: true, ip_policy_ids: ['ipp_not_guest'] }),
    ],
    policies,
  );
  assert.equal(problems.size, 0);
  assert.ok(restrictions.admits('acct_a', 'api', '10.1.2.3'));
  assert.ok(!restrictions.admits('acct_a', 'api', '10.9.2.3'), 'refused by the second');
  assert.ok(!restrictions.admits('acct_a', 'api', '192.0.2.1'), 'refused by the first');
  assert.ok(restrictions.admits('acct_a', 'agent', '192.0.2.1'));
  assert.ok(restrictions.admits('acct_b', 'api', '192.0.2.1'));
  assert.ok(restrictions.restricts('acct_a', 'api'));
  assert.ok(!restrictions.restricts('acct_a', 'endpoints'));
});

test('a restriction not enforced admits, and warns once per source', () => {
  const { restrictions } = compileAccountRestrictions(
    [record('ipx_1', { type: 'endpoints', enforced: false, ip_policy_ids: ['ipp_lan'] })],
    policies,
  );
  const warned: unknown[] = [];
  const warn = (_message: string, fields: Record<string, unknown>) => void warned.push(fields);
  for (let i = 0; i < 3; i++) assert.ok(restrictions.admits('acct_a', 'endpoints', '192.0.2.1', warn));
  assert.ok(restrictions.admits('acct_a', 'endpoints', '10.0.0.1', warn));
  assert.deepEqual(warned, [{ restriction: 'ipx_1', type: 'endpoints', ip: '192.0.2.1', accountId: 'acct_a' }]);
});

test('a restriction whose policies cannot be read is a problem, and admits no one meanwhile', () => {
  const { restrictions, problems } = compileAccountRestrictions(
    [
      record('ipx_1', { type: 'agent', enforced: true, ip_policy_ids: ['ipp_lan', 'ipp_gone'] }),
      record('ipx_2', { type: 'api', enforced: true, ip_policy_ids: [] }),
      record('ipx_3', { type: 'dashboard', enforced: true, ip_policy_ids: ['ipp_lan'] }),
      record('ipx_4', { type: 'api', enforced: true, ip_policy_ids: ['ipp_lan'] }, 'acct_b'),
    ],
    policies,
  );
  assert.deepEqual(
    [...problems].map(([id, p]) => [id, p.code, p.field]),
    [
      ['ipx_1', 'ERR_NGROK_1607', 'ip_policy_ids[1]'],
      ['ipx_2', 'ERR_NGROK_1804', 'ip_policy_ids'],
      ['ipx_3', 'ERR_NGROK_1803', 'type'],
      ['ipx_4', 'ERR_NGROK_1607', 'ip_policy_ids[0]'],
    ],
  );
  assert.ok(!restrictions.admits('acct_a', 'agent', '10.0.0.1'));
  assert.ok(!restrictions.admits('acct_a', 'api', '10.0.0.1'));
  assert.ok(!restrictions.admits('acct_b', 'api', '10.0.0.1'), "another account's policy is not found");
});
