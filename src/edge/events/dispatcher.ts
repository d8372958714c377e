/**
 * The event dispatcher: takes audit events from the API and traffic events from the proxy,
 * finds the subscriptions that want them (SubscriptionTable), and queues one envelope per
 * subscription on each of its destinations (Delivery). It follows the store: subscriptions and
 * destinations changed through the API take effect without a restart. Emitting never waits.
 */
import { join } from 'node:path';
import { eventKinds, type EventDestinationDoc, type EventSubscriptionDoc } from '../../config/documents/events.ts';
import { ErrorCode } from '../../errors/catalogue.ts';
import type { Logger } from '../../log/logger.ts';
import { StoreFollower } from '../../store/follow.ts';
import type { ResourceRecord } from '../../store/resources.ts';
import type { Store } from '../../store/store.ts';
import { Delivery, deliveryDefaults, type DeliveryLimits, type DeliveryStats } from './delivery.ts';
import { senderFor, type SenderDeps } from './destinations/index.ts';
import { newEventJson, type EventJson } from './envelope.ts';
import { selectFields, type FlatFields } from './select-fields.ts';
import { takeSpool, writeSpool, type SpooledDestination } from './spool.ts';
import { SubscriptionTable } from './subscription-table.ts';
import type { TrafficEvents, TrafficEventType } from './traffic.ts';

export interface EventDispatcherOptions extends Omit<SenderDeps, 'logger'> {
  store: Store;
  /** Where queued events are kept across a graceful restart (`events-spool.json` in it). */
  dataDir: string;
  limits?: Partial<DeliveryLimits>;
  logger: Logger;
}

/** One destination's counters, for metrics. */
export interface DestinationStats extends DeliveryStats {
  destinationId: string;
  accountId: string;
  /** The target kind: http, file, datadog, kinesis, … */
  target: string;
  /** False for a stored target the edge cannot use (docs/events.md). */
  deliverable: boolean;
}

interface Active {
  delivery: Delivery;
  accountId: string;
  target: string;
  deliverable: boolean;
  /** The stored target, to notice a change that needs a new sender. */
  key: string;
}

const kinds = [eventKinds.subscription, eventKinds.destination];

export class EventDispatcher implements TrafficEvents {
  #table = new SubscriptionTable();
  readonly #active = new Map<string, Active>();
  readonly #follower: StoreFollower;
  readonly #limits: DeliveryLimits;
  readonly #spoolPath: string;
  #restored: SpooledDestination[] = [];
  #closed = false;

  constructor(private readonly options: EventDispatcherOptions) {
    this.#limits = { ...deliveryDefaults, ...options.limits };
    this.#spoolPath = join(options.dataDir, 'events-spool.json');
    this.#follower = new StoreFollower(options.store.changes, kinds, () => this.#rebuild());
  }

  /** Reads what the last graceful stop kept, loads subscriptions and destinations, and follows changes. */
  async start(): Promise<void> {
    const spool = await takeSpool(this.#spoolPath);
    this.#restored = spool.destinations;
    if (spool.problem)
      this.options.logger.warn('events kept at the last stop could not all be read', {
        code: ErrorCode.ERR_EVENT_SPOOL_UNREADABLE,
        ...(spool.keptAt && { path: spool.keptAt }),
        problem: spool.problem,
        destinations: spool.destinations.length,
      });
    await this.#follower.start();
  }

  /** Resolves once every store change announced so far is in force. */
  settled(): Promise<void> {
    return this.#follower.settled();
  }

  /** An audit event (`ip_policy_created.v0` …) with the resource's read shape. */
  audit(accountId: string, type: string, object: Record<string, unknown>): void {
    for (const route of this.#table.routes(accountId, type))
      this.#queue(route.destinationIds, newEventJson(type, object));
  }

  wants(accountId: string, type: TrafficEventType): boolean {
    return !this.#closed && this.#table.wants(accountId, type);
  }

  traffic(accountId: string, type: TrafficEventType, fields: () => FlatFields): void {
    if (this.#closed) return;
    let flat: FlatFields | undefined;
    for (const route of this.#table.routes(accountId, type)) {
      let event: EventJson | undefined;
      // Made for the first destination with room; one that has none drops the event unmade.
      const make = () => (event ??= newEventJson(type, selectFields((flat ??= fields()), route.fields)));
      for (const id of route.destinationIds) this.#active.get(id)?.delivery.offer(make);
    }
  }

  /** Queue depth, deliveries, drops and retries of every destination. */
  stats(): DestinationStats[] {
    return [...this.#active].map(([destinationId, a]) => ({
      destinationId,
      accountId: a.accountId,
      target: a.target,
      deliverable: a.deliverable,
      ...a.delivery.stats,
    }));
  }

  /** Stops following the store and sending; writes what is still queued to the data directory. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#follower.stop();
    const queued = [...this.#active].map(([id, a]) => ({ destination_id: id, events: a.delivery.stop() }));
    await writeSpool(this.#spoolPath, [...queued, ...this.#restored]);
    const kept = queued.reduce((n, q) => n + q.events.length, 0);
    if (kept) this.options.logger.info('queued events kept for the next start', { events: kept });
  }

  #queue(destinationIds: readonly string[], event: EventJson): void {
    if (this.#closed) return;
    for (const id of destinationIds) this.#active.get(id)?.delivery.push([event]);
  }

  // The last good table stays in force when the store cannot be read.
  async #rebuild(): Promise<void> {
    if (this.#closed) return;
    const { store } = this.options;
    try {
      const [subscriptions, destinations] = await Promise.all([
        store.resources.all<EventSubscriptionDoc & Record<string, unknown>>(eventKinds.subscription),
        store.resources.all<EventDestinationDoc & Record<string, unknown>>(eventKinds.destination),
      ]);
      if (this.#closed) return;
      this.#syncDestinations(destinations);
      this.#table = new SubscriptionTable(subscriptions);
      this.#requeueRestored();
    } catch (err) {
      this.options.logger.error('could not load event subscriptions and destinations', { err });
    }
  }

  // A destination whose target is unchanged keeps its queue and sender; a changed one gets a
  // new sender and takes the queued events along; a deleted one is stopped.
  #syncDestinations(records: ReadonlyArray<ResourceRecord<EventDestinationDoc & Record<string, unknown>>>): void {
    const seen = new Set<string>();
    for (const record of records) {
      seen.add(record.id);
      const key = JSON.stringify(record.doc.target);
      const current = this.#active.get(record.id);
      if (current?.key === key) continue;
      const sender = this.#sender(record);
      const delivery = new Delivery(record.id, sender, this.#limits, this.options.logger);
      if (current) delivery.push(current.delivery.stop());
      const target = Object.keys(record.doc.target).find((k) => record.doc.target[k as keyof typeof record.doc.target]);
      this.#active.set(record.id, {
        delivery,
        accountId: record.account_id,
        target: target ?? '',
        deliverable: sender !== undefined,
        key,
      });
    }
    for (const [id, active] of this.#active) {
      if (seen.has(id)) continue;
      const left = active.delivery.stop().length;
      if (left) this.options.logger.info('event destination deleted; its queued events go', { id, events: left });
      this.#active.delete(id);
    }
  }

  #sender(record: ResourceRecord<EventDestinationDoc & Record<string, unknown>>) {
    try {
      return senderFor(record.doc.target, record.account_id, this.options);
    } catch (err) {
      this.options.logger.error('event destination cannot be used; its events are dropped', {
        code: ErrorCode.ERR_EVENT_TARGET_UNDELIVERABLE,
        id: record.id,
        err,
      });
      return undefined;
    }
  }

  #requeueRestored(): void {
    if (!this.#restored.length) return;
    let events = 0;
    for (const spooled of this.#restored) {
      const active = this.#active.get(spooled.destination_id);
      if (!active) continue;
      active.delivery.push(spooled.events);
      events += spooled.events.length;
    }
    this.#restored = [];
    this.options.logger.info('events kept at the last stop queued again', { events });
  }
}
