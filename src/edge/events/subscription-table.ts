/**
 * Subscriptions compiled for dispatch: per account and event type, the subscriptions that
 * want it, each with its selected fields and destinations. Built from the store's records and
 * replaced whole on every change, like the snapshot.
 */
import type { EventSubscriptionDoc } from '../../config/documents/events.ts';
import type { ResourceRecord } from '../../store/resources.ts';

/** One subscription's interest in one event type. */
export interface Route {
  subscriptionId: string;
  /** Traffic events: the fields to send; empty means all. */
  fields: readonly string[];
  destinationIds: readonly string[];
}

export class SubscriptionTable {
  readonly #routes = new Map<string, Map<string, Route[]>>();

  constructor(records: ReadonlyArray<ResourceRecord<EventSubscriptionDoc & Record<string, unknown>>> = []) {
    for (const record of records) {
      const byType = this.#routes.get(record.account_id) ?? new Map<string, Route[]>();
      this.#routes.set(record.account_id, byType);
      if (!record.doc.destination_ids.length) continue;
      for (const source of record.doc.sources) {
        const list = byType.get(source.type) ?? [];
        list.push({
          subscriptionId: record.id,
          fields: source.fields ?? [],
          destinationIds: record.doc.destination_ids,
        });
        byType.set(source.type, list);
      }
    }
  }

  /** The subscriptions of `accountId` that want `type` (none: an empty list). */
  routes(accountId: string, type: string): readonly Route[] {
    return this.#routes.get(accountId)?.get(type) ?? [];
  }

  /** True when some subscription of `accountId` wants `type`: checked before traffic fields are gathered. */
  wants(accountId: string, type: string): boolean {
    return this.routes(accountId, type).length > 0;
  }
}
