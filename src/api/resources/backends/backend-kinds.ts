/**
 * What the five backend kinds share: their stored kinds, id prefixes and paths, references
 * between backends (references are checked by compiling, api/config-gate.ts), and the "still
 * in use" delete check.
 */
import type { FastifyRequest } from 'fastify';
import { ErrorCode } from '../../../errors/catalogue.ts';
import type { ResourceRecord } from '../../../store/resources.ts';
import type { CommonDoc } from '../../resource-fields.ts';
import type { ApiContext } from '../../context.ts';
import { stillInUse } from '../../errors.ts';
import { ref, type Ref } from '../../uri.ts';

/** One backend kind: `kind` in the store, `prefix` of its ids, `path` of its collection. */
export interface BackendKind {
  kind: string;
  prefix: string;
  path: string;
}

export const failoverBackend: BackendKind = { kind: 'failover_backend', prefix: 'bkdfo', path: '/backends/failover' };
export const tunnelGroupBackend: BackendKind = {
  kind: 'tunnel_group_backend',
  prefix: 'bkdtg',
  path: '/backends/tunnel_group',
};
export const weightedBackend: BackendKind = { kind: 'weighted_backend', prefix: 'bkdwd', path: '/backends/weighted' };
export const httpResponseBackend: BackendKind = {
  kind: 'http_response_backend',
  prefix: 'bkdhr',
  path: '/backends/http_response',
};
export const staticBackend: BackendKind = { kind: 'static_backend', prefix: 'bkdsc', path: '/backends/static' };

/** Every backend kind, in the order of ngrok API v2's backend paths. */
export const backendKinds: readonly BackendKind[] = [
  failoverBackend,
  tunnelGroupBackend,
  weightedBackend,
  httpResponseBackend,
  staticBackend,
];

/** The kind an id belongs to, by its prefix; undefined for an id that is no backend's. */
export function backendKindOf(id: string): BackendKind | undefined {
  return backendKinds.find((k) => id.startsWith(`${k.prefix}_`));
}

/** A `{id, uri}` reference to a backend, its uri under the right `/backends/<kind>` path. */
export function backendRef(req: FastifyRequest, id: string): Ref {
  return ref(req, backendKindOf(id)?.path ?? '/backends', id);
}

/** The child ids of a failover (`backends: []`) or weighted (`backends: {}`) document. */
export function childBackendIds(doc: unknown): string[] {
  const backends = (doc as { backends?: unknown }).backends;
  if (Array.isArray(backends)) return backends.filter((b): b is string => typeof b === 'string');
  if (backends && typeof backends === 'object') return Object.keys(backends);
  return [];
}

/** Refuses (ERR_BACKEND_IN_USE, ngrok's 6502) to delete a backend that an edge, route or backend names. */
export async function refuseDeleteInUse(record: ResourceRecord<CommonDoc>, ctx: ApiContext): Promise<void> {
  const users = await ctx.deps.store.resources.referencing(ctx.account.id, record.id, record.id);
  if (users.length)
    throw stillInUse(
      ErrorCode.ERR_BACKEND_IN_USE,
      `backend ${record.id}`,
      users.map((u) => `${u.kind} ${u.id}`),
    );
}
