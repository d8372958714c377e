/**
 * Event type names an event subscription can select (ngrok's event type
 * names): `<thing>_<created|updated|deleted>.v0` for configuration changes, plus the traffic
 * events `http_request_complete.v0` and `tcp_connection_closed.v0`.
 */
import { trafficEventTypes } from '../../../config/events/event-fields.ts';

/** The configuration things with created/updated/deleted events. */
export const eventThings = [
  'api_key',
  'certificate_authority',
  'domain',
  'event_destination',
  'event_subscription',
  'ip_policy',
  'ip_policy_rule',
  'ip_restriction',
  'ssh_certificate_authority',
  'ssh_credential',
  'ssh_host_certificate',
  'ssh_user_certificate',
  'tcp_address',
  'tls_certificate',
  'tunnel_credential',
] as const;

/** Traffic events, sent by the data plane. */
export { trafficEventTypes };

/** Every event type name a source may have. */
export const eventTypes: ReadonlySet<string> = new Set([
  ...eventThings.flatMap((thing) => ['created', 'updated', 'deleted'].map((op) => `${thing}_${op}.v0`)),
  ...trafficEventTypes,
]);

/**
 * The event thing of a stored resource kind (for audit events, src/api/audit.ts), e.g.
 * `reserved_domain` → `domain`; undefined for kinds ngrok has no events for (edges, backends).
 */
export const eventThingOfKind: Readonly<Record<string, string>> = {
  api_key: 'api_key',
  credential: 'tunnel_credential',
  reserved_domain: 'domain',
  reserved_addr: 'tcp_address',
  tls_certificate: 'tls_certificate',
  certificate_authority: 'certificate_authority',
  ip_policy: 'ip_policy',
  ip_policy_rule: 'ip_policy_rule',
  event_destination: 'event_destination',
  event_subscription: 'event_subscription',
};

/** True when `type` is a known event type name. */
export function isEventType(type: string): boolean {
  return eventTypes.has(type);
}
