import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';

test('IP policies and rules through @ngrok/ngrok-api: CRUD, paging, errors, isolation', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);

  const policy = await ngrok.ipPolicies.create({ description: 'office', metadata: '{"team":"a"}' });
  assert.match(policy.id, /^ipp_[0-9a-z]{27}$/);
  assert.equal(policy.uri, `${edge.bootstrap.api_url}/ip_policies/${policy.id}`);
  assert.equal(policy.description, 'office');
  assert.deepEqual(await ngrok.ipPolicies.get(policy.id), policy);

  const rules = [];
  for (let i = 0; i < 7; i++)
    rules.push(
      await ngrok.ipPolicyRules.create({
        ipPolicyId: policy.id,
        cidr: `10.${i}.2.3/16`,
        action: i % 2 ? 'deny' : 'allow',
      }),
    );
  assert.equal(rules[0]!.cidr, '10.0.0.0/16');
  assert.equal(rules[0]!.ipPolicy.id, policy.id);
  assert.equal(rules[1]!.action, 'deny');

  // Paging: the client follows next_page_uri (with beforeId) until it is null.
  const listed = await ngrok.ipPolicyRules.list(undefined, '3');
  assert.deepEqual(
    listed.map((r) => r.id),
    rules.map((r) => r.id).reverse(),
  );
  const firstPage = await apiFetch(edge, 'GET', '/ip_policy_rules?limit=3');
  assert.equal((firstPage.body.ip_policy_rules as unknown[]).length, 3);
  assert.match(String(firstPage.body.next_page_uri), /before_id=ipr_/);
  const lastPage = await apiFetch(edge, 'GET', `/ip_policy_rules?limit=3&beforeId=${rules[1]!.id}`);
  assert.deepEqual(
    (lastPage.body.ip_policy_rules as Array<{ id: string }>).map((r) => r.id),
    [rules[0]!.id],
  );
  assert.equal(lastPage.body.next_page_uri, null);

  const updated = await ngrok.ipPolicyRules.update({ id: rules[0]!.id, cidr: '192.168.1.7/24', description: 'lan' });
  assert.equal(updated.cidr, '192.168.1.0/24');
  assert.equal(updated.description, 'lan');

  // Errors: bad CIDR, unknown policy, unknown id, bad limit; envelope shape.
  const bad = await apiFetch(edge, 'POST', '/ip_policy_rules', {
    ip_policy_id: policy.id,
    cidr: '10.0.0.0/33',
    action: 'allow',
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.status_code, 400);
  assert.equal(bad.body.error_code, 'ERR_NGROK_1410');
  assert.match(String((bad.body.details as Record<string, string>).operation_id), /^op_/);
  await assert.rejects(
    ngrok.ipPolicyRules.create({ ipPolicyId: 'ipp_nope', cidr: '1.2.3.4/32', action: 'allow' }),
    (e: { errorCode?: string }) => e.errorCode === 'ERR_NGROK_1402',
  );
  await assert.rejects(
    ngrok.ipPolicies.get('ipp_00000000000000000000000000'),
    (e: { statusCode?: number }) => e.statusCode === 404,
  );
  assert.equal((await apiFetch(edge, 'GET', '/ip_policies?limit=101')).body.error_code, 'ERR_NGROK_233');
  assert.equal(
    (await apiFetch(edge, 'POST', '/ip_policies', { description: 'x'.repeat(256) })).body.error_code,
    'ERR_NGROK_420',
  );
  assert.equal((await apiFetch(edge, 'GET', '/ip_policies', undefined, 'bogus')).status, 401);

  // Another account sees none of it and cannot touch it.
  const other = await otherAccount(edge);
  assert.deepEqual((await apiFetch(edge, 'GET', '/ip_policies', undefined, other.apiKey)).body.ip_policies, []);
  assert.equal((await apiFetch(edge, 'GET', `/ip_policies/${policy.id}`, undefined, other.apiKey)).status, 404);
  assert.equal((await apiFetch(edge, 'DELETE', `/ip_policies/${policy.id}`, undefined, other.apiKey)).status, 404);
  assert.equal(
    (
      await apiFetch(
        edge,
        'POST',
        '/ip_policy_rules',
        { ip_policy_id: policy.id, cidr: '1.1.1.1', action: 'deny' },
        other.apiKey,
      )
    ).body.error_code,
    'ERR_NGROK_1402',
  );

  // Delete: 200 {} (the 0.11.0 client parses every body); the policy takes its rules along.
  assert.deepEqual(await ngrok.ipPolicyRules.delete(rules[6]!.id), {});
  await ngrok.ipPolicies.delete(policy.id);
  assert.deepEqual(await ngrok.ipPolicyRules.list(), []);
});

test("an IP policy rule's action cannot change: PATCH refuses another action, accepts the same one", async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const policy = await ngrok.ipPolicies.create({});
  const rule = await ngrok.ipPolicyRules.create({ ipPolicyId: policy.id, cidr: '10.0.0.0/8', action: 'deny' });
  // The TS client's update type has no action (ngrok's has none): sent raw.
  const changed = await apiFetch(edge, 'PATCH', `/ip_policy_rules/${rule.id}`, {
    action: 'allow',
    cidr: '10.1.0.0/16',
  });
  assert.equal(changed.status, 400);
  assert.equal(changed.body.error_code, 'ERR_NGROK_215');
  assert.match(String(changed.body.msg), /^action: .*delete the rule and create it with the other action/);
  assert.deepEqual(await ngrok.ipPolicyRules.get(rule.id), rule, 'a refused PATCH changes nothing');
  const same = await apiFetch(edge, 'PATCH', `/ip_policy_rules/${rule.id}`, { action: 'DENY', description: 'kept' });
  assert.equal(same.status, 200, JSON.stringify(same.body));
  assert.deepEqual([same.body.action, same.body.description], ['deny', 'kept']);
});
