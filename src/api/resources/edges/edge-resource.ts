/**
 * What the three edge kinds share: create/list/get/update/delete through registerCrud, their
 * hostports (checked, or generated on create), module slots in create/PATCH bodies and reads,
 * and the module paths `<path>/{id}/<module>`.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { ResourceRecord } from '../../../store/resources.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata } from '../../resource-fields.ts';
import type { ApiContext, ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { notFound } from '../../errors.ts';
import type { EdgeDoc } from '../../../config/documents/edges.ts';
import {
  checkAddrHostports,
  checkNamedHostports,
  reserveGeneratedAddr,
  reserveGeneratedHostport,
} from './hostports.ts';
import { emptySlots, moduleProperties, normalizeModules, readModules, registerModulePaths } from './module-slots.ts';
import type { ModuleSpec } from './modules/index.ts';
import { secretsOf } from './modules/module-spec.ts';

/** One edge kind. */
export interface EdgeKindSpec<D extends EdgeDoc> {
  path: string;
  kind: string;
  prefix: string;
  listKey: string;
  modules: readonly ModuleSpec[];
  /** `named`: reserved domains on port 443 (HTTPS, TLS); `addr`: reserved TCP addresses. */
  endpoints: 'named' | 'addr';
  /** Extra fields of a new document (HTTPS: `routes: []`). */
  initialDoc?: Partial<D>;
  /** Extra read fields after the modules (HTTPS: `routes`). */
  readExtra?(record: ResourceRecord<D>, ctx: ApiContext): Record<string, unknown>;
  /** Throws when an updated document may not be stored (HTTPS: hostports its routes' matches need). */
  checkUpdate?(doc: D): void;
}

/** Create/update body of an edge: common fields, hostports, and its modules. */
function bodySchema(modules: readonly ModuleSpec[]): TSchema {
  return Type.Object({
    description: Type.Optional(Description),
    metadata: Type.Optional(Metadata),
    hostports: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
    ...moduleProperties(modules),
  });
}

type EdgeBody = { description?: string; metadata?: string; hostports?: string[] | null } & Record<string, unknown>;

/** Registers an edge kind's CRUD and module paths. */
export function registerEdgeKind<D extends EdgeDoc>(app: FastifyInstance, deps: ApiDeps, spec: EdgeKindSpec<D>): void {
  const checkHostports = spec.endpoints === 'named' ? checkNamedHostports : checkAddrHostports;
  const generate = spec.endpoints === 'named' ? reserveGeneratedHostport : reserveGeneratedAddr;
  const schema = bodySchema(spec.modules);

  registerCrud<D, EdgeBody, EdgeBody>(app, deps, {
    path: spec.path,
    kind: spec.kind,
    prefix: spec.prefix,
    listKey: spec.listKey,
    createSchema: schema,
    updateSchema: schema,
    create: async (body, ctx) => {
      const hostports = body.hostports?.length ? await checkHostports(ctx, body.hostports) : [];
      const modules = await normalizeModules(spec.modules, body, ctx);
      return {
        doc: {
          ...commonCreate(body),
          hostports,
          ...emptySlots(spec.modules),
          ...modules,
          ...spec.initialDoc,
        } as unknown as D,
      };
    },
    // An edge created without hostports gets one, reserved in the account's name.
    afterCreate: async (record, ctx) => {
      if (record.doc.hostports.length > 0) return record;
      try {
        const doc = { ...record.doc, hostports: [await generate(ctx, record.id)] };
        await deps.store.resources.update(ctx.account.id, spec.kind, record.id, doc);
        return { ...record, doc };
      } catch (err) {
        await deps.store.resources.delete(ctx.account.id, spec.kind, record.id);
        throw err;
      }
    },
    update: async (doc, body, ctx, record) => {
      const hostports = body.hostports ? await checkHostports(ctx, body.hostports, record.id) : doc.hostports;
      const next = { ...commonPatch(doc, body), hostports, ...(await normalizeModules(spec.modules, body, ctx, doc)) };
      spec.checkUpdate?.(next);
      return next;
    },
    read: (record, ctx) => ({
      ...commonRead(ctx, spec.path, record),
      hostports: spec.endpoints === 'addr' && record.doc.hostports.length === 0 ? null : record.doc.hostports,
      ...readModules(spec.modules, record.doc, {
        req: ctx.req,
        edgeId: record.id,
        hostports: record.doc.hostports,
        secrets: secretsOf(ctx),
      }),
      ...spec.readExtra?.(record, ctx),
    }),
  });

  registerModulePaths(app, deps, `${spec.path}/:id`, spec.modules, async (ctx, req) => {
    const record = await deps.store.resources.get<D>(ctx.account.id, spec.kind, (req.params as { id: string }).id);
    if (!record) throw notFound();
    return {
      slots: record.doc,
      owner: { req, edgeId: record.id, hostports: record.doc.hostports, secrets: secretsOf(ctx) },
      save: async (slots) => void (await deps.store.resources.update(ctx.account.id, spec.kind, record.id, slots as D)),
    };
  });
}
