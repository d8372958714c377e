import type { ResourceRecord } from '../../store/resources.ts';
import type { Backend, BackendDeps } from './backend.ts';
import { FailoverBackend } from './failover/failover.ts';
import { HttpResponseBackend } from './http_response/http-response.ts';
import { TunnelGroupBackend } from './tunnel_group/tunnel-group.ts';
import { WeightedBackend } from './weighted/weighted.ts';

/** Store kinds of backend records. */
export const backendKinds = ['tunnel_group_backend', 'failover_backend', 'weighted_backend', 'http_response_backend'] as const;

interface BackendDoc {
  labels?: Record<string, string>;
  backends?: string[] | Record<string, number>;
  body?: string;
  headers?: Record<string, string>;
  status_code?: number;
}

export interface CompiledBackends {
  /** Every backend that compiled, by id. */
  byId: Map<string, Backend>;
  /** Why the others did not (a missing child, a cycle), by id. */
  errors: Map<string, string>;
}

/**
 * Builds the backend objects from their records once per snapshot: children are resolved,
 * labels copied and static bodies encoded here, so serving a request does no lookups.
 */
export function compileBackends(records: ResourceRecord[], deps: BackendDeps): CompiledBackends {
  const recordsById = new Map(records.map((r) => [r.id, r]));
  const byId = new Map<string, Backend>();
  const errors = new Map<string, string>();
  const building = new Set<string>();

  const build = (id: string, path: string): Backend => {
    const done = byId.get(id);
    if (done) return done;
    if (errors.has(id)) throw new Error(errors.get(id));
    const record = recordsById.get(id);
    if (!record) throw new Error(`${path}: ${id} does not exist`);
    if (building.has(id)) throw new Error(`${path}: ${id} refers back to itself`);
    building.add(id);
    try {
      const backend = create(record, (child, at) => build(child, `${path}.${at}`), deps);
      byId.set(id, backend);
      return backend;
    } finally {
      building.delete(id);
    }
  };

  for (const record of records) {
    try {
      build(record.id, record.id);
    } catch (err) {
      errors.set(record.id, (err as Error).message);
    }
  }
  return { byId, errors };
}

function create(record: ResourceRecord, child: (id: string, at: string) => Backend, deps: BackendDeps): Backend {
  const doc = record.doc as BackendDoc;
  switch (record.kind) {
    case 'tunnel_group_backend':
      return new TunnelGroupBackend(record.id, record.account_id, { ...(doc.labels ?? {}) }, deps);
    case 'failover_backend':
      return new FailoverBackend(record.id, ((doc.backends as string[] | undefined) ?? []).map((id, i) => child(id, `backends[${i}]`)));
    case 'weighted_backend':
      return new WeightedBackend(
        record.id,
        Object.entries((doc.backends as Record<string, number> | undefined) ?? {}).map(([id, weight]) => ({ backend: child(id, `backends.${id}`), weight })),
      );
    case 'http_response_backend':
      return new HttpResponseBackend(record.id, doc.status_code ?? 200, doc.headers ?? {}, doc.body ?? '');
    default:
      throw new Error(`${record.id}: unknown backend kind ${record.kind}`);
  }
}
