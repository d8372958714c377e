import type { ResourceRecord } from '../../store/resources.ts';
import { containsKind, type Backend, type BackendDeps } from '../backends/backend.ts';
import { backendKinds, compileBackends } from '../backends/compile.ts';
import { PathRouter } from '../routing/path-router.ts';
import { compileTlsPolicy, defaultTlsPolicy, type TlsModuleDocs } from '../tls/tls-policy.ts';
import { Snapshot, type CompiledEdge, type CompiledRoute } from './snapshot.ts';

/** Store kinds the snapshot is compiled from. */
export const snapshotKinds = ['https_edge', 'tls_edge', 'tcp_edge', 'certificate_authority', ...backendKinds] as const;

interface ModuleRef {
  enabled?: boolean;
  backend_id?: string;
}

interface RouteDoc {
  id: string;
  match_type: string;
  match: string;
  backend?: ModuleRef | null;
}

interface EdgeDoc extends TlsModuleDocs {
  hostports?: string[] | null;
  routes?: RouteDoc[];
  backend?: ModuleRef | null;
  tls_termination?: { enabled?: boolean; terminate_at?: string; min_version?: string | null } | null;
}

/**
 * Compiles store records into a new snapshot. An edge that fails to compile keeps its
 * version from `previous` (if it had one) and its error is recorded.
 */
export function compileSnapshot(records: ResourceRecord[], previous: Snapshot, deps: BackendDeps): Snapshot {
  const snapshot = new Snapshot(previous.version + 1);
  const backends = compileBackends(records.filter((r) => (backendKinds as readonly string[]).includes(r.kind)), deps);
  for (const [id, reason] of backends.errors) snapshot.errors.set(id, reason);
  const cas = certificateAuthorities(records);
  for (const record of records) {
    if (!['https_edge', 'tls_edge', 'tcp_edge'].includes(record.kind)) continue;
    let edge: CompiledEdge | undefined;
    try {
      edge = compileEdge(record, backends.byId, cas);
    } catch (err) {
      snapshot.errors.set(record.id, (err as Error).message);
      edge = previous.edges.get(record.id);
    }
    if (edge) addEdge(snapshot, edge);
  }
  return snapshot;
}

function addEdge(snapshot: Snapshot, edge: CompiledEdge): void {
  snapshot.edges.set(edge.id, edge);
  if (edge.kind === 'tcp') for (const port of edge.ports) snapshot.tcpPorts.set(port, edge);
  else for (const host of edge.hostnames) snapshot.hosts.set(host, edge);
}

/** CA PEMs by `<account id>/<id>`, so mutual_tls resolves its CAs at compile time, within the account. */
function certificateAuthorities(records: ResourceRecord[]): Map<string, string> {
  const pems = new Map<string, string>();
  for (const r of records) if (r.kind === 'certificate_authority' && typeof r.doc.ca_pem === 'string') pems.set(`${r.account_id}/${r.id}`, r.doc.ca_pem);
  return pems;
}

function compileEdge(record: ResourceRecord, backends: Map<string, Backend>, cas: Map<string, string>): CompiledEdge {
  const doc = record.doc as EdgeDoc;
  const hostports = doc.hostports ?? [];
  const base = { id: record.id, accountId: record.account_id };
  const backendOf = (ref: ModuleRef | null | undefined, field: string) => resolveBackend(ref, field, backends, record.kind === 'https_edge');
  const tlsPolicy = () => compileTlsPolicy(doc, (id) => cas.get(`${record.account_id}/${id}`));
  switch (record.kind) {
    case 'https_edge': {
      const routes = (doc.routes ?? []).map((route, i) => ({
        matchType: route.match_type,
        match: route.match,
        value: { id: route.id, edgeId: record.id, backend: backendOf(route.backend, `routes[${i}].backend`) } satisfies CompiledRoute,
      }));
      return { kind: 'https', ...base, hostnames: hostports.map(hostOf), routes: new PathRouter(routes), tls: tlsPolicy() };
    }
    case 'tls_edge': {
      const termination = doc.tls_termination?.enabled === false ? undefined : doc.tls_termination;
      // The product default: TLS terminates at the edge unless the module says upstream.
      const terminateAt = termination?.terminate_at === 'upstream' ? 'upstream' : 'edge';
      // Passing through, the edge never sees the client certificate: refuse rather than let everyone in.
      if (terminateAt === 'upstream' && doc.mutual_tls && doc.mutual_tls.enabled !== false) {
        throw new Error('mutual_tls: needs tls_termination.terminate_at "edge"; with "upstream" the edge cannot check client certificates');
      }
      const tls = terminateAt === 'edge' ? tlsPolicy() : defaultTlsPolicy;
      return { kind: 'tls', ...base, hostnames: hostports.map(hostOf), terminateAt, backend: backendOf(doc.backend, 'backend'), tls };
    }
    default:
      return { kind: 'tcp', ...base, ports: hostports.map(portOf), backend: backendOf(doc.backend, 'backend') };
  }
}

function resolveBackend(ref: ModuleRef | null | undefined, field: string, backends: Map<string, Backend>, speaksHttp = true): Backend | undefined {
  if (!ref || ref.enabled === false || !ref.backend_id) return undefined;
  const backend = backends.get(ref.backend_id);
  if (!backend) throw new Error(`${field}.backend_id: ${ref.backend_id} does not exist or failed to compile`);
  if (!speaksHttp && containsKind(backend, 'http_response')) {
    throw new Error(`${field}.backend_id: ${ref.backend_id} contains an HTTP response backend, which only HTTPS edges can use`);
  }
  return backend;
}

/** "app.example.com:443" → "app.example.com". */
function hostOf(hostport: string): string {
  return hostport.replace(/:\d+$/, '').toLowerCase();
}

function portOf(hostport: string): number {
  const port = Number(/:(\d+)$/.exec(hostport)?.[1]);
  if (!port) throw new Error(`hostports: "${hostport}" has no port`);
  return port;
}
