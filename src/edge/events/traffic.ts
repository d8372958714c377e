/**
 * What the proxy reports traffic to. The proxy asks `wants` first, so that with no
 * subscription for the account it gathers nothing; `traffic` queues and returns at once.
 */
import type { trafficEventTypes } from '../../config/events/event-fields.ts';
import type { FlatFields } from './select-fields.ts';

export type TrafficEventType = (typeof trafficEventTypes)[number];

export interface TrafficEvents {
  wants(accountId: string, type: TrafficEventType): boolean;
  /** `fields`: every field of the event type by its dotted name (config/events/event-fields.ts). */
  traffic(accountId: string, type: TrafficEventType, fields: FlatFields): void;
}
