import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { ApiKey } from '../../store/api-keys.ts';
import { Description, Metadata } from '../common.ts';
import { contextOf, type ApiContext, type ApiDeps } from '../context.ts';
import { notFound } from '../errors.ts';
import { listBody, pageOf } from '../paging.ts';
import { apiOrigin } from '../uri.ts';

const path = '/api_keys';

const ApiKeyCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  // Accepted and ignored: Portico has no users or bots to own a key.
  owner_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
const ApiKeyUpdate = Type.Object({ description: Type.Optional(Description), metadata: Type.Optional(Metadata) });

/** The read shape; `token` is the key on create and null on every other read. */
function readApiKey(ctx: ApiContext, k: ApiKey, token: string | null = null): Record<string, unknown> {
  return {
    id: k.id,
    uri: `${apiOrigin(ctx.req)}${path}/${k.id}`,
    created_at: k.created_at,
    ...(k.description && { description: k.description }),
    ...(k.metadata && { metadata: k.metadata }),
    token,
    owner_id: null,
  };
}

/** API keys: the bearer tokens of this API. Deleting the key in use is allowed. */
export function registerApiKeys(app: FastifyInstance, deps: ApiDeps): void {
  const { apiKeys } = deps.store;
  /** The account's record, or 404. */
  const found = <T>(value: T | undefined): T => {
    if (!value) throw notFound();
    return value;
  };
  const idOf = (params: unknown) => (params as { id: string }).id;

  app.post(path, { schema: { body: ApiKeyCreate } }, async (req, reply) => {
    const ctx = contextOf(req, deps);
    const { apiKey, token } = await apiKeys.create(ctx.account.id, req.body as Static<typeof ApiKeyCreate>);
    return reply.code(201).send(readApiKey(ctx, apiKey, token.reveal()));
  });

  app.get(path, async (req) => {
    const ctx = contextOf(req, deps);
    const page = pageOf(req);
    const list = await apiKeys.list(ctx.account.id, { limit: page.limit + 1, ...(page.beforeId && { beforeId: page.beforeId }) });
    return listBody(req, 'keys', page, list.map((k) => ({ ...readApiKey(ctx, k), id: k.id })));
  });

  app.get(`${path}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    return readApiKey(ctx, found(await apiKeys.get(ctx.account.id, idOf(req.params))));
  });

  app.patch(`${path}/:id`, { schema: { body: ApiKeyUpdate } }, async (req) => {
    const ctx = contextOf(req, deps);
    const updated = await apiKeys.update(ctx.account.id, idOf(req.params), req.body as Static<typeof ApiKeyUpdate>);
    return readApiKey(ctx, found(updated));
  });

  app.delete(`${path}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    if (!(await apiKeys.delete(ctx.account.id, idOf(req.params)))) throw notFound();
    return {};
  });
}
