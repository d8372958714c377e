/**
 * The event envelope every destination receives, in ngrok's shape: `event_id` (`ev_…`),
 * `event_type` (e.g. `ip_policy_created.v0`), `event_timestamp` (RFC 3339) and `object` (the
 * API's read shape for audit events; the selected fields, nested, for traffic events).
 *
 * Queued and sent as its JSON text (`EventJson`), made once when the event is queued: a queue of
 * strings is one object per event for the garbage collector to skip, where envelopes are some
 * thirty to trace, and takes less room (10,000 queued `http_request_complete.v0` events of a bare
 * GET: 10 MB of heap as text, 17 MB as objects); a batch retried after a failure is not
 * serialized again.
 */
import { newId } from '../../store/ids.ts';
import { rfc3339 } from '../../store/timestamps.ts';

export interface EventEnvelope {
  event_id: string;
  event_type: string;
  event_timestamp: string;
  object: Record<string, unknown>;
}

/** An envelope's JSON text. */
export type EventJson = string;

/** A new envelope stamped now, as JSON text. */
export function newEventJson(type: string, object: Record<string, unknown>): EventJson {
  const envelope: EventEnvelope = { event_id: newId('ev'), event_type: type, event_timestamp: rfc3339(), object };
  return JSON.stringify(envelope);
}
