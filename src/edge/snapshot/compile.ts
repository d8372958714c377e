import { compileConfig } from '../../config/compile/compile.ts';
import { edgeEndpointId } from '../../config/names/endpoint-ids.ts';
import type { EdgePlan } from '../../config/compile/edges.ts';
import { compiledKinds } from '../../config/documents/kinds.ts';
import type { ResourceRecord } from '../../store/resources.ts';
import type { Backend, BackendDeps } from '../backends/backend.ts';
import { buildBackends } from '../backends/compile.ts';
import type { ModuleDeps } from '../pipeline/build.ts';
import type { IpRestrictionPlan } from '../../config/modules/plans.ts';
import { IpFilter } from '../../config/ip-rules/ip-filter.ts';
import { PathRouter } from '../routing/path-router.ts';
import { Snapshot, type CompiledEdge, type CompiledRoute } from './snapshot.ts';

/** Store kinds the snapshot is compiled from. */
export const snapshotKinds = compiledKinds;

/**
 * Compiles store records into a new snapshot: the configuration layer checks and resolves
 * them (compileConfig), then the plans become serving objects. An edge that fails to compile
 * keeps its version from `previous` (if it had one) and its problem is recorded.
 */
/** What a snapshot is built with: what its backends and its modules need. */
export interface SnapshotDeps extends BackendDeps {
  modules: ModuleDeps;
}

export function compileSnapshot(records: ResourceRecord[], previous: Snapshot, deps: SnapshotDeps): Snapshot {
  const snapshot = new Snapshot(previous.version + 1, previous);
  const plan = compileConfig(records);
  for (const [id, problem] of plan.problems) snapshot.errors.set(id, problem.message);
  snapshot.restrictions = plan.restrictions;
  const backends = buildBackends(plan.backends, deps);
  for (const record of records) {
    if (!['https_edge', 'tls_edge', 'tcp_edge'].includes(record.kind)) continue;
    const edgePlan = plan.edges.get(record.id);
    const edge = edgePlan ? buildEdge(edgePlan, backends, snapshot, deps.modules) : previous.edges.get(record.id);
    if (edge) addEdge(snapshot, edge);
  }
  return snapshot;
}

function buildEdge(
  plan: EdgePlan,
  backends: ReadonlyMap<string, Backend>,
  snapshot: Snapshot,
  moduleDeps: ModuleDeps,
): CompiledEdge {
  const backend = (id: string | undefined) => (id === undefined ? undefined : backends.get(id));
  const served = plan.kind === 'tcp' ? plan.ports.map(String) : plan.hostnames;
  const endpointIds = new Map(served.map((name) => [name, edgeEndpointId(plan.id, name)]));
  const base = { id: plan.id, accountId: plan.accountId, endpointIds };
  switch (plan.kind) {
    case 'https': {
      const routes = plan.routes.map((r) => ({
        matchType: r.matchType,
        match: r.match,
        value: {
          id: r.id,
          edgeId: plan.id,
          backend: backend(r.backendId),
          modules: snapshot.modules.chainFor(r.id, r.modules, moduleDeps),
        } satisfies CompiledRoute,
      }));
      return { kind: 'https', ...base, hostnames: plan.hostnames, routes: new PathRouter(routes), tls: plan.tls };
    }
    case 'tls':
      return {
        kind: 'tls',
        ...base,
        hostnames: plan.hostnames,
        terminateAt: plan.terminateAt,
        backend: backend(plan.backendId),
        tls: plan.tls,
        ipFilter: ipFilterOf(plan.ipRestriction),
      };
    case 'tcp':
      return {
        kind: 'tcp',
        ...base,
        ports: plan.ports,
        backend: backend(plan.backendId),
        ipFilter: ipFilterOf(plan.ipRestriction),
      };
  }
}

function ipFilterOf(plan: IpRestrictionPlan | undefined): IpFilter | undefined {
  return plan && new IpFilter(plan.rules);
}

function addEdge(snapshot: Snapshot, edge: CompiledEdge): void {
  snapshot.edges.set(edge.id, edge);
  if (edge.kind === 'tcp') for (const port of edge.ports) snapshot.tcpPorts.set(port, edge);
  else for (const host of edge.hostnames) snapshot.hosts.set(host, edge);
}
