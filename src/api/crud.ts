import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import type { ResourceRecord } from '../store/resources.ts';
import type { CommonDoc } from './resource-fields.ts';
import { auditChange } from './audit.ts';
import { contextOf, type ApiContext, type ApiDeps } from './context.ts';
import { notFound } from './errors.ts';
import { listBody, pageOf, readPage } from './paging.ts';

/** How one document-backed resource family maps onto create/get/list/update/delete. */
export interface CrudSpec<D extends CommonDoc, C, U> {
  /** Collection path, e.g. `/ip_policies`. */
  path: string;
  /** Stored kind(s): the first is created; all are listed (backends share a path per kind). */
  kind: string;
  /** Id prefix, e.g. `ipp`. */
  prefix: string;
  /** List key in the list body, e.g. `ip_policies`. */
  listKey: string;
  createSchema: TSchema;
  updateSchema: TSchema;
  /** Validates a create body into the stored document (and its unique key, if any). */
  create(body: C, ctx: ApiContext): Promise<{ doc: D; key?: string | null }>;
  /** Applies a PATCH body to the stored document. */
  update(doc: D, body: U, ctx: ApiContext, record: ResourceRecord<D>): Promise<D>;
  /** The read shape of a record. */
  read(record: ResourceRecord<D>, ctx: ApiContext): Promise<Record<string, unknown>> | Record<string, unknown>;
  /**
   * Runs after the record is stored, for work that needs its id (an edge reserving a hostname
   * "created for edge <id>"); returns the record as it now is. Must undo the record on failure.
   */
  afterCreate?(record: ResourceRecord<D>, ctx: ApiContext): Promise<ResourceRecord<D>>;
  /** Throws (usually stillInUse) when the record may not be deleted. */
  beforeDelete?(record: ResourceRecord<D>, ctx: ApiContext): Promise<void>;
}

/** Registers POST, GET list, GET one, PATCH and DELETE for a document-backed resource. */
export function registerCrud<D extends CommonDoc, C, U>(
  app: FastifyInstance,
  deps: ApiDeps,
  spec: CrudSpec<D, C, U>,
): void {
  const { store } = deps;
  const load = async (ctx: ApiContext, id: string) => {
    const record = await store.resources.get<D>(ctx.account.id, spec.kind, id);
    if (!record) throw notFound();
    return record;
  };

  // The data plane's word on a record that did not compile (kept out of ngrok's fields unless set).
  const read = async (record: ResourceRecord<D>, ctx: ApiContext) => {
    const shape = await spec.read(record, ctx);
    const error = deps.configError?.(record.id);
    return error ? { ...shape, config_error: error } : shape;
  };

  app.post(spec.path, { schema: { body: spec.createSchema } }, async (req, reply) => {
    const ctx = contextOf(req, deps);
    const { doc, key } = await spec.create(req.body as C, ctx);
    const created = await store.resources.create(ctx.account.id, spec.kind, spec.prefix, doc, key ?? null);
    const record = spec.afterCreate ? await spec.afterCreate(created, ctx) : created;
    const shape = await read(record, ctx);
    auditChange(ctx, spec.kind, 'created', shape);
    return reply.code(201).send(shape);
  });

  app.get(spec.path, async (req) => {
    const ctx = contextOf(req, deps);
    const page = pageOf(req);
    const fetch = (beforeId: string | undefined, limit: number) =>
      store.resources.list<D>(ctx.account.id, spec.kind, { limit, beforeId });
    return listBody(req, spec.listKey, page, await readPage(page, fetch, (r) => read(r, ctx)));
  });

  app.get(`${spec.path}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    return read(await load(ctx, (req.params as { id: string }).id), ctx);
  });

  app.patch(`${spec.path}/:id`, { schema: { body: spec.updateSchema } }, async (req) => {
    const ctx = contextOf(req, deps);
    const record = await load(ctx, (req.params as { id: string }).id);
    const doc = await spec.update(record.doc, req.body as U, ctx, record);
    await store.resources.update(ctx.account.id, spec.kind, record.id, doc);
    const shape = await read({ ...record, doc }, ctx);
    auditChange(ctx, spec.kind, 'updated', shape);
    return shape;
  });

  app.delete(`${spec.path}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    const record = await load(ctx, (req.params as { id: string }).id);
    await spec.beforeDelete?.(record, ctx);
    await store.resources.delete(ctx.account.id, spec.kind, record.id);
    auditChange(ctx, spec.kind, 'deleted', await read(record, ctx));
    // 200 with {} rather than 204: @ngrok/ngrok-api 0.11.0 parses every response body as JSON.
    return {};
  });
}
