/**
 * What the proxy reports traffic to. The proxy asks `wants` first, so that with no
 * subscription for the account it gathers nothing; `traffic` queues and returns at once. It
 * asks for the fields only when a destination has room for the event: a destination that is
 * down and whose queue is full costs traffic a counted drop, not an event built and thrown away.
 */
import type { trafficEventTypes } from '../../config/events/event-fields.ts';
import type { FlatFields } from './select-fields.ts';

export type TrafficEventType = (typeof trafficEventTypes)[number];

export interface TrafficEvents {
  wants(accountId: string, type: TrafficEventType): boolean;
  /** `fields()`: every field of the event type by its dotted name (config/events/event-fields.ts); called at most once, before `traffic` returns. */
  traffic(accountId: string, type: TrafficEventType, fields: () => FlatFields): void;
}
