import type { Backend } from '../backends/backend.ts';
import type { IpFilter } from '../../config/ip-rules/ip-filter.ts';
import { AccountRestrictions } from '../../config/ip-rules/account-restrictions.ts';
import { ModuleChains } from '../pipeline/build.ts';
import type { HttpModule } from '../pipeline/http-module.ts';
import { HostnameTable } from '../routing/hostname-table.ts';
import type { PathRouter } from '../routing/path-router.ts';
import type { TlsPolicy } from '../../config/compile/tls-policy.ts';

/** A route of an HTTPS edge, ready to serve. */
export interface CompiledRoute {
  id: string;
  edgeId: string;
  /** Undefined when the route has no (enabled) backend: requests get ERR_EDGE_NO_BACKEND. */
  backend: Backend | undefined;
  /** The route's modules in the fixed order. */
  modules: readonly HttpModule[];
}

/** What every compiled edge has. */
interface CompiledEdgeBase {
  id: string;
  accountId: string;
  /** The `ep_…` id of each hostport (src/config/names/endpoint-ids.ts), by host name (HTTPS, TLS) or port (TCP, as text). */
  endpointIds: ReadonlyMap<string, string>;
}

export interface CompiledHttpsEdge extends CompiledEdgeBase {
  kind: 'https';
  hostnames: string[];
  routes: PathRouter<CompiledRoute>;
  /** tls_termination min_version and mutual_tls CAs, for every name of the edge. */
  tls: TlsPolicy;
}

export interface CompiledTlsEdge extends CompiledEdgeBase {
  kind: 'tls';
  hostnames: string[];
  /** `upstream`: the connection is passed through untouched; `edge`: the edge terminates. */
  terminateAt: 'edge' | 'upstream';
  backend: Backend | undefined;
  /** Applies when `terminateAt` is `edge`; the default policy otherwise. */
  tls: TlsPolicy;
  /** The edge's IP restriction: a refused source is disconnected before a byte is forwarded. */
  ipFilter: IpFilter | undefined;
}

export interface CompiledTcpEdge extends CompiledEdgeBase {
  kind: 'tcp';
  ports: number[];
  backend: Backend | undefined;
  /** The edge's IP restriction: a refused source is disconnected before a byte is forwarded. */
  ipFilter: IpFilter | undefined;
}

export type CompiledEdge = CompiledHttpsEdge | CompiledTlsEdge | CompiledTcpEdge;

/**
 * The compiled, immutable routing table listeners read. A new one replaces the old on every
 * configuration change; a request keeps the one it started with.
 */
export class Snapshot {
  /** HTTPS and TLS edges by hostname (exact, then most specific wildcard). */
  readonly hosts = new HostnameTable<CompiledHttpsEdge | CompiledTlsEdge>();
  /** TCP edges by public port. */
  readonly tcpPorts = new Map<number, CompiledTcpEdge>();
  /** Every compiled edge by id (kept to reuse when a later version fails to compile). */
  readonly edges = new Map<string, CompiledEdge>();
  /** Records that failed to compile, by id, with the reason. */
  readonly errors = new Map<string, string>();
  /** Every account's IP restrictions of its API, agents and endpoints (`/ip_restrictions`). */
  restrictions = AccountRestrictions.empty();
  /** The routes' module chains (kept from the previous snapshot where unchanged). */
  readonly modules: ModuleChains;

  constructor(
    readonly version: number,
    previous?: Snapshot,
  ) {
    this.modules = new ModuleChains(previous?.modules);
  }

  static empty(): Snapshot {
    return new Snapshot(0);
  }
}
