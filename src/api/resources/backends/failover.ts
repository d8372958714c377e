import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../../resource-fields.ts';
import type { ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { failoverBackend, refuseDeleteInUse } from './backend-kinds.ts';

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
    // Children that exist in the account, and no cycles, are checked by compiling (api/config-gate.ts).
    create: async (body) => ({ doc: { ...commonCreate(body), backends: body.backends ?? [] } }),
    update: async (doc, body) =>
      body.backends === undefined ? commonPatch(doc, body) : { ...commonPatch(doc, body), backends: body.backends },
    read: (record, ctx) => ({ ...commonRead(ctx, path, record), backends: record.doc.backends }),
    beforeDelete: refuseDeleteInUse,
  });
}
