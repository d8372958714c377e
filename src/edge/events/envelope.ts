/**
 * The event envelope every destination receives, in ngrok's shape: `event_id` (`ev_…`),
 * `event_type` (e.g. `ip_policy_created.v0`), `event_timestamp` (RFC 3339) and `object` (the
 * API's read shape for audit events; the selected fields, nested, for traffic events).
 */
import { newId } from '../../store/ids.ts';
import { rfc3339 } from '../../store/timestamps.ts';

export interface EventEnvelope {
  event_id: string;
  event_type: string;
  event_timestamp: string;
  object: Record<string, unknown>;
}

/** A new envelope stamped now. */
export function newEnvelope(type: string, object: Record<string, unknown>): EventEnvelope {
  return { event_id: newId('ev'), event_type: type, event_timestamp: rfc3339(), object };
}
