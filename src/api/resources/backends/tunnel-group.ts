import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { ErrorCode } from '../../../errors/catalogue.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../../resource-fields.ts';
import type { ApiContext, ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { invalid } from '../../errors.ts';
import { ref, type Ref } from '../../uri.ts';
import { refuseDeleteInUse, tunnelGroupBackend } from './backend-kinds.ts';

/** Stored tunnel-group backend: the labels a tunnel must carry (all of them) to serve it. */
export interface TunnelGroupBackendDoc extends CommonDoc {
  labels: Record<string, string>;
}

const TunnelGroupBackendCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
});
type TunnelGroupBackendCreate = Static<typeof TunnelGroupBackendCreate>;

function labels(value: Record<string, string> | undefined): Record<string, string> {
  if (!value || Object.keys(value).length === 0)
    throw invalid(ErrorCode.ERR_NGROK_215, 'labels', 'give at least one label, e.g. {"app": "web"}');
  for (const key of Object.keys(value))
    if (key.trim() === '') throw invalid(ErrorCode.ERR_NGROK_215, 'labels', 'label names may not be empty');
  return value;
}

/** Refs of the account's live labeled tunnels whose labels include every one of `wanted`. */
export function matchingTunnels(ctx: ApiContext, wanted: Record<string, string>): Ref[] {
  return ctx.deps.live.labeledTunnels(wanted, ctx.account.id).map((t) => ref(ctx.req, '/tunnels', t.id));
}

/** Tunnel-group backends: traffic goes to the live labeled tunnels matching their labels. */
export function registerTunnelGroupBackends(app: FastifyInstance, deps: ApiDeps): void {
  const { kind, prefix, path } = tunnelGroupBackend;
  registerCrud<TunnelGroupBackendDoc, TunnelGroupBackendCreate, TunnelGroupBackendCreate>(app, deps, {
    path,
    kind,
    prefix,
    listKey: 'backends',
    createSchema: TunnelGroupBackendCreate,
    updateSchema: TunnelGroupBackendCreate,
    create: async (body) => ({ doc: { ...commonCreate(body), labels: labels(body.labels) } }),
    update: async (doc, body) => ({
      ...commonPatch(doc, body),
      ...(body.labels !== undefined && { labels: labels(body.labels) }),
    }),
    read: (record, ctx) => ({
      ...commonRead(ctx, path, record),
      labels: record.doc.labels,
      tunnels: matchingTunnels(ctx, record.doc.labels),
    }),
    beforeDelete: refuseDeleteInUse,
  });
}
