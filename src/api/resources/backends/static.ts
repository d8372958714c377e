import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { isAddressProblem, parseStaticAddress } from '../../../config/static-address/static-address.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../../resource-fields.ts';
import type { ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { invalid } from '../../errors.ts';
import { refuseDeleteInUse, staticBackend } from './backend-kinds.ts';

/** Stored static backend: the `host:port` the edge dials, and whether it speaks TLS to it. */
export interface StaticBackendDoc extends CommonDoc {
  address: string;
  tls: { enabled: boolean };
}

const StaticBackendTls = Type.Object({ enabled: Type.Optional(Type.Boolean()) });

const StaticBackendCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  address: Type.Optional(Type.String()),
  tls: Type.Optional(StaticBackendTls),
});
type StaticBackendCreate = Static<typeof StaticBackendCreate>;

/** Checks `address` (400 with ngrok's 6505, 6506 or 6507); the address as given. */
function address(value: string | undefined): string {
  const parsed = parseStaticAddress(value ?? '');
  if (isAddressProblem(parsed)) throw invalid(parsed.code, 'address', parsed.reason);
  return value!;
}

function tls(value: Static<typeof StaticBackendTls> | undefined): { enabled: boolean } {
  return { enabled: value?.enabled ?? false };
}

/**
 * Static backends: traffic goes from the edge straight to a fixed `host:port`, over TLS when
 * `tls.enabled` (edge/backends/static); no agent is involved.
 */
export function registerStaticBackends(app: FastifyInstance, deps: ApiDeps): void {
  const { kind, prefix, path } = staticBackend;
  registerCrud<StaticBackendDoc, StaticBackendCreate, StaticBackendCreate>(app, deps, {
    path,
    kind,
    prefix,
    listKey: 'backends',
    createSchema: StaticBackendCreate,
    updateSchema: StaticBackendCreate,
    create: async (body) => ({ doc: { ...commonCreate(body), address: address(body.address), tls: tls(body.tls) } }),
    update: async (doc, body) => ({
      ...commonPatch(doc, body),
      ...(body.address !== undefined && { address: address(body.address) }),
      ...(body.tls !== undefined && { tls: tls(body.tls) }),
    }),
    read: (record, ctx) => ({
      ...commonRead(ctx, path, record),
      address: record.doc.address,
      tls: { enabled: record.doc.tls.enabled },
    }),
    beforeDelete: refuseDeleteInUse,
  });
}
