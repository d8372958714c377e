import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../../common.ts';
import type { ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { failoverBackend, refuseCycles, refuseDeleteInUse, requireBackends } from './backend-kinds.ts';

/** Stored failover backend: child backend ids, tried in order. */
interface FailoverBackendDoc extends CommonDoc {
  backends: string[];
}

const FailoverBackendCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  backends: Type.Optional(Type.Array(Type.String())),
});
type FailoverBackendCreate = Static<typeof FailoverBackendCreate>;

/** Failover backends: traffic goes to the first child backend that is online. */
export function registerFailoverBackends(app: FastifyInstance, deps: ApiDeps): void {
  const { kind, prefix, path } = failoverBackend;
  registerCrud<FailoverBackendDoc, FailoverBackendCreate, FailoverBackendCreate>(app, deps, {
    path,
    kind,
    prefix,
    listKey: 'backends',
    createSchema: FailoverBackendCreate,
    updateSchema: FailoverBackendCreate,
    create: async (body, ctx) => {
      const backends = body.backends ?? [];
      await requireBackends(ctx, backends, 'backends');
      return { doc: { ...commonCreate(body), backends } };
    },
    update: async (doc, body, ctx, record) => {
      if (body.backends === undefined) return commonPatch(doc, body);
      await requireBackends(ctx, body.backends, 'backends');
      await refuseCycles(ctx, record.id, body.backends);
      return { ...commonPatch(doc, body), backends: body.backends };
    },
    read: (record, ctx) => ({ ...commonRead(ctx, path, record), backends: record.doc.backends }),
    beforeDelete: refuseDeleteInUse,
  });
}
