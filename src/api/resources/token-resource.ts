import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { ErrorCode } from '../../errors/catalogue.ts';
import type { TokenFields, TokenRecord, TokenRecords } from '../../store/token-records.ts';
import { auditChange } from '../audit.ts';
import { contextOf, type ApiContext, type ApiDeps } from '../context.ts';
import { invalid, notFound } from '../errors.ts';
import { listBody, pageOf, readPage } from '../paging.ts';
import { apiOrigin } from '../uri.ts';

/** `owner_id` of a create body: only null or "" is accepted (see refuseOwner). */
export const OwnerId = Type.Optional(Type.Union([Type.String(), Type.Null()]));

/** Refuses a non-empty `owner_id`: Portico has no users or bots, so nothing could own the record. */
function refuseOwner(body: Record<string, unknown>): void {
  if (!body.owner_id) return;
  throw invalid(
    ErrorCode.ERR_NGROK_215,
    'owner_id',
    'Portico has no users or bots to own this; leave owner_id out (the record belongs to the account)',
  );
}

/** How a token-backed family (credentials, API keys) maps onto the API. */
export interface TokenResourceSpec<R extends TokenRecord, F extends TokenFields> {
  /** Collection path, e.g. `/credentials`. */
  path: string;
  /** List key, e.g. `credentials` or `keys`. */
  listKey: string;
  /** Store kind named in audit events (src/api/audit.ts), e.g. `credential`. */
  kind: string;
  repo: TokenRecords<R, F>;
  createSchema: TSchema;
  updateSchema: TSchema;
  /** Checks a create or PATCH body (already schema-valid) into repository fields. */
  fields(body: Record<string, unknown>): F;
  /** Read fields of this family beyond the common ones (e.g. `acl`). */
  extra?(record: R): Record<string, unknown>;
}

/**
 * Registers create/list/get/update/delete for records whose token is shown once: `token` is
 * the secret on create and null on every other read; `owner_id` is always null (Portico has no
 * users or bots to own one).
 */
export function registerTokenResource<R extends TokenRecord, F extends TokenFields>(
  app: FastifyInstance,
  deps: ApiDeps,
  spec: TokenResourceSpec<R, F>,
): void {
  const { path, repo } = spec;
  const read = (ctx: ApiContext, r: R, token: string | null = null): Record<string, unknown> => ({
    id: r.id,
    uri: `${apiOrigin(ctx.req)}${path}/${r.id}`,
    created_at: r.created_at,
    description: r.description ?? '',
    metadata: r.metadata ?? '',
    token,
    ...spec.extra?.(r),
    owner_id: null,
  });
  const found = (record: R | undefined): R => {
    if (!record) throw notFound();
    return record;
  };
  const idOf = (params: unknown) => (params as { id: string }).id;

  app.post(path, { schema: { body: spec.createSchema } }, async (req, reply) => {
    const ctx = contextOf(req, deps);
    refuseOwner(req.body as Record<string, unknown>);
    const { record, token } = await repo.createRecord(ctx.account.id, spec.fields(req.body as Record<string, unknown>));
    auditChange(ctx, spec.kind, 'created', read(ctx, record)); // without the token
    return reply.code(201).send(read(ctx, record, token.reveal()));
  });

  app.get(path, async (req) => {
    const ctx = contextOf(req, deps);
    const page = pageOf(req);
    const fetch = (beforeId: string | undefined, limit: number) =>
      repo.list(ctx.account.id, { limit, ...(beforeId && { beforeId }) });
    return listBody(req, spec.listKey, page, await readPage(page, fetch, (r) => read(ctx, r)));
  });

  app.get(`${path}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    return read(ctx, found(await repo.get(ctx.account.id, idOf(req.params))));
  });

  app.patch(`${path}/:id`, { schema: { body: spec.updateSchema } }, async (req) => {
    const ctx = contextOf(req, deps);
    const shape = read(
      ctx,
      found(await repo.update(ctx.account.id, idOf(req.params), spec.fields(req.body as Record<string, unknown>))),
    );
    auditChange(ctx, spec.kind, 'updated', shape);
    return shape;
  });

  app.delete(`${path}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    const record = found(await repo.get(ctx.account.id, idOf(req.params)));
    if (!(await repo.delete(ctx.account.id, record.id))) throw notFound();
    auditChange(ctx, spec.kind, 'deleted', read(ctx, record));
    return {};
  });
}
