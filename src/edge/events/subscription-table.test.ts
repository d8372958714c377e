import assert from 'node:assert/strict';
import test from 'node:test';
import type { EventSubscriptionDoc } from '../../config/documents/events.ts';
import type { ResourceRecord } from '../../store/resources.ts';
import { SubscriptionTable } from './subscription-table.ts';

const record = (id: string, accountId: string, doc: Partial<EventSubscriptionDoc>) =>
  ({
    id,
    account_id: accountId,
    kind: 'event_subscription',
    key: null,
    created_at: '2026-12-02T00:00:00Z',
    doc: { description: '', metadata: '', sources: [], destination_ids: [], ...doc },
  }) as ResourceRecord<EventSubscriptionDoc & Record<string, unknown>>;

test('routes by account and type, with each subscription its fields and destinations', () => {
  const table = new SubscriptionTable([
    record('esb_1', 'acc_a', {
      sources: [
        { type: 'http_request_complete.v0', fields: ['http.request.method'] },
        { type: 'ip_policy_created.v0' },
      ],
      destination_ids: ['ed_1', 'ed_2'],
    }),
    record('esb_2', 'acc_a', { sources: [{ type: 'http_request_complete.v0' }], destination_ids: ['ed_3'] }),
    record('esb_3', 'acc_b', { sources: [{ type: 'ip_policy_created.v0' }], destination_ids: ['ed_4'] }),
    // No destination: nothing to send to, so it wants nothing.
    record('esb_4', 'acc_c', { sources: [{ type: 'ip_policy_created.v0' }], destination_ids: [] }),
  ]);
  assert.deepEqual(table.routes('acc_a', 'http_request_complete.v0'), [
    { subscriptionId: 'esb_1', fields: ['http.request.method'], destinationIds: ['ed_1', 'ed_2'] },
    { subscriptionId: 'esb_2', fields: [], destinationIds: ['ed_3'] },
  ]);
  assert.deepEqual(
    table.routes('acc_b', 'ip_policy_created.v0').map((r) => r.destinationIds),
    [['ed_4']],
  );
  assert.equal(table.wants('acc_b', 'http_request_complete.v0'), false);
  assert.equal(table.wants('acc_c', 'ip_policy_created.v0'), false);
  assert.equal(table.wants('acc_z', 'ip_policy_created.v0'), false);
});
