/**
 * Endpoint ids (`ep_…`), derived rather than stored, so that the API's `/endpoints` and the
 * traffic events' `endpoint.id` name an endpoint alike. An agent endpoint's id comes from its
 * tunnel's id, which the agent keeps across reconnects; an edge endpoint's from its edge and the
 * name (HTTPS, TLS) or port (TCP) it serves. Each keeps the time part of the id it comes from,
 * so endpoints list in the order their tunnels and edges were made.
 */
import { createHash } from 'node:crypto';
import { encodeIdChars } from '../../store/ids.ts';

/** A store id's body: 10 time characters, then 17 random ones. */
const storeId = /^[a-z][a-z0-9]*_([0-9a-z]{27})$/;

/** The id body of `timeOf`'s time part (or of `at`, for an id that has none) and a digest of `parts`. */
function derived(timeOf: string, at: Date, ...parts: string[]): string {
  const time = storeId.exec(timeOf)?.[1]?.slice(0, 10) ?? encodeIdChars(BigInt(Math.max(at.getTime(), 0)), 10);
  const digest = createHash('sha256').update(parts.join('\0')).digest();
  return `ep_${time}${encodeIdChars(BigInt(`0x${digest.subarray(0, 11).toString('hex')}`) >> 3n, 17)}`;
}

/** The endpoint of an agent's bind: `ep_` and the tunnel id's body (`tn_…`), else a digest of the id. */
export function agentEndpointId(tunnel: { readonly id: string; readonly startedAt: Date }): string {
  const body = /^tn_([0-9a-z]{27})$/.exec(tunnel.id)?.[1];
  return body ? `ep_${body}` : derived(tunnel.id, tunnel.startedAt, 'tunnel', tunnel.id);
}

/** The endpoint of one hostport of an edge: `served` is its host name (HTTPS, TLS edges) or its port (TCP edges). */
export function edgeEndpointId(edgeId: string, served: string | number): string {
  return derived(edgeId, new Date(0), 'edge', edgeId, String(served).toLowerCase());
}
