/** Steps the destination tests share: subscribing a destination, reading its delivery counters. */
import assert from 'node:assert/strict';
import { apiClient } from '../../support/api.ts';
import type { TestEdge } from '../../support/edge.ts';

/** Subscribes `destinationId` to `types` and waits until the edge's dispatcher follows it. */
export async function subscribe(
  edge: TestEdge,
  destinationId: string,
  types = ['ip_policy_created.v0'],
): Promise<void> {
  await apiClient(edge).eventSubscriptions.create({
    sources: types.map((type) => ({ type })),
    destinationIds: [destinationId],
  });
  await edge.events.settled();
}

/** The delivery counters of one destination. */
export function deliveryOf(edge: TestEdge, destinationId: string) {
  const found = edge.events.stats().find((s) => s.destinationId === destinationId);
  assert.ok(found, `no delivery for ${destinationId}`);
  return found;
}
