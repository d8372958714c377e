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
  'tcp_address',
  'tls_certificate',
  'tunnel_credential',
] as const;

/**
 * ngrok's event things Portico has no resource for: a source of their events could never
 * fire, so it is refused rather than kept (the value: what to call them in the message).
 */
const thingsWithoutResource: Readonly<Record<string, string>> = {
  ssh_certificate_authority: 'SSH certificate authorities',
  ssh_credential: 'SSH credentials',
  ssh_host_certificate: 'SSH host certificates',
  ssh_user_certificate: 'SSH user certificates',
};

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
  ip_restriction: 'ip_restriction',
  event_destination: 'event_destination',
  event_subscription: 'event_subscription',
};

/** True when `type` is a known event type name. */
export function isEventType(type: string): boolean {
  return eventTypes.has(type);
}

/** What ngrok's event type `type` is about when Portico has no such resource (e.g. "SSH credentials"); else undefined. */
export function withoutResource(type: string): string | undefined {
  const thing = /^(.+)_(?:created|updated|deleted)\.v0$/.exec(type)?.[1];
  return thing === undefined || !Object.hasOwn(thingsWithoutResource, thing) ? undefined : thingsWithoutResource[thing];
}
