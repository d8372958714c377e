import { defaultTlsPolicy, type TlsPolicy } from '../../config/compile/tls-policy.ts';
import type { CompiledHttpsEdge, CompiledTlsEdge } from '../snapshot/snapshot.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { EndpointGroup } from '../tunnels/endpoint-group.ts';
import type { TunnelRegistry } from '../tunnels/registry.ts';
import { specificity } from './hostname-table.ts';

/** What serves a name on the public HTTPS port. */
export type HostTarget =
  /** `name`: the edge's hostname that matched (`host` itself, or the `*.` wildcard covering it). */
  | { kind: 'edge'; edge: CompiledHttpsEdge | CompiledTlsEdge; name: string }
  | { kind: 'endpoint'; group: EndpointGroup };

/**
 * The name a certificate for `host` should carry, or undefined when no edge and no endpoint
 * serves it: the wildcard that matched when `host` is one label under it (one certificate for
 * every name it serves), else `host` itself.
 */
export function certificateNameFor(host: string, snapshot: Snapshot, registry: TunnelRegistry): string | undefined {
  const edge = snapshot.hosts.matchEntry(host);
  const endpoint = registry.httpsEndpointEntry(host);
  const matched = [edge?.name, endpoint?.name]
    .filter((n): n is string => n !== undefined)
    .sort((a, b) => specificity(b) - specificity(a))[0];
  if (matched === undefined) return undefined;
  const oneLabelUnder =
    matched.startsWith('*.') &&
    host.endsWith(matched.slice(1)) &&
    !host.slice(0, host.length - matched.length + 1).includes('.');
  return oneLabelUnder ? matched : host;
}

/**
 * The most specific match for `host` among edges (snapshot) and agent endpoints (registry):
 * `foo.example.com` bound by an agent wins over an edge on `*.example.com`, and the reverse.
 * On a tie an edge wins: it is the configuration the operator wrote.
 */
export function resolveHttpsHost(host: string, snapshot: Snapshot, registry: TunnelRegistry): HostTarget | undefined {
  const edge = snapshot.hosts.matchEntry(host);
  const endpoint = registry.httpsEndpointEntry(host);
  if (edge && (!endpoint || specificity(edge.name) >= specificity(endpoint.name)))
    return { kind: 'edge', edge: edge.value, name: edge.name };
  if (endpoint) return { kind: 'endpoint', group: endpoint.value };
  return undefined;
}

/**
 * The TLS policy of handshakes and requests for `target`: the edge's (its modules), the agent
 * endpoint's (MutualTLSCA), or the default for names nothing serves.
 */
export function tlsPolicyOf(target: HostTarget | undefined): TlsPolicy {
  if (target?.kind === 'edge') return target.edge.tls;
  if (target?.kind === 'endpoint') return target.group.tls;
  return defaultTlsPolicy;
}
