/**
 * Edges as stored: the documents the data plane compiles. Every module slot is present, null
 * when unset, holding the module's normalised write shape (ids, not Refs) when set.
 */
import type { CommonDoc } from './common.ts';
import { configKinds } from './kinds.ts';
import type { StoredModule } from './modules.ts';

type Slot = StoredModule | null;

export const httpsEdgeKind = configKinds.httpsEdge;
export const tlsEdgeKind = configKinds.tlsEdge;
export const tcpEdgeKind = configKinds.tcpEdge;
/** Id prefix of routes, which live inside their HTTPS edge's document. */
export const httpsEdgeRoutePrefix = 'edghtsrt';

/** What every edge document has. */
export interface EdgeDoc extends CommonDoc {
  /** "host:port" pairs the edge serves: "app.example.com:443", or a reserved TCP address. */
  hostports: string[];
}

/** An HTTPS edge: routes by path, plus edge-wide mutual TLS and TLS termination. */
export interface HttpsEdgeDoc extends EdgeDoc {
  mutual_tls: Slot;
  tls_termination: Slot;
  /** In creation order. */
  routes: HttpsEdgeRouteDoc[];
}

/** A route of an HTTPS edge. */
export interface HttpsEdgeRouteDoc extends CommonDoc {
  id: string;
  /** RFC 3339 UTC. */
  created_at: string;
  match_type: 'exact_path' | 'path_prefix';
  /** "/blog", "example.com" or "example.com/blog". */
  match: string;
  backend: Slot;
  ip_restriction: Slot;
  circuit_breaker: Slot;
  compression: Slot;
  request_headers: Slot;
  response_headers: Slot;
  webhook_verification: Slot;
  oauth: Slot;
  saml: Slot;
  oidc: Slot;
  websocket_tcp_converter: Slot;
  user_agent_filter: Slot;
  policy: Slot;
}

/** A TLS edge: terminates at the edge or passes TLS through to the upstream. */
export interface TlsEdgeDoc extends EdgeDoc {
  backend: Slot;
  ip_restriction: Slot;
  mutual_tls: Slot;
  tls_termination: Slot;
  policy: Slot;
}

/** A TCP edge on reserved addresses. */
export interface TcpEdgeDoc extends EdgeDoc {
  backend: Slot;
  ip_restriction: Slot;
  policy: Slot;
}
