import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { invalidAclRules } from '../../edge/tunnels/acl.ts';
import type { Credential } from '../../store/credentials.ts';
import { Description, Metadata } from '../common.ts';
import { contextOf, type ApiContext, type ApiDeps } from '../context.ts';
import { invalid, notFound } from '../errors.ts';
import { listBody, pageOf } from '../paging.ts';
import { apiOrigin } from '../uri.ts';

const path = '/credentials';

// null (some clients send it for "no rules") is the same as [].
const Acl = Type.Union([Type.Array(Type.String()), Type.Null()]);
const CredentialCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  acl: Type.Optional(Acl),
  // Accepted and ignored: Portico has no users or bots to own a credential.
  owner_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
const CredentialUpdate = Type.Object({ description: Type.Optional(Description), metadata: Type.Optional(Metadata), acl: Type.Optional(Acl) });

/** Refuses (ERR_NGROK_215) ACL rules that are not `bind:` rules of a known form; the trimmed rules. */
export function checkAcl(acl: string[]): string[] {
  const rules = acl.map((r) => r.trim());
  const bad = invalidAclRules(rules);
  if (bad.length) {
    throw invalid('ERR_NGROK_215', 'acl', `${bad.map((r) => JSON.stringify(r)).join(', ')} is not a rule; use bind:app.example.com, bind:*.example.com, bind:host:port, bind:key=value or bind:*`);
  }
  return rules;
}

/** The read shape; `token` is the authtoken on create and null on every other read. */
function readCredential(ctx: ApiContext, c: Credential, token: string | null = null): Record<string, unknown> {
  return {
    id: c.id,
    uri: `${apiOrigin(ctx.req)}${path}/${c.id}`,
    created_at: c.created_at,
    ...(c.description && { description: c.description }),
    ...(c.metadata && { metadata: c.metadata }),
    token,
    acl: c.acl,
    owner_id: null,
  };
}

/** Credentials: the authtokens agents connect with, optionally limited by `bind:` ACL rules. */
export function registerCredentials(app: FastifyInstance, deps: ApiDeps): void {
  const { credentials } = deps.store;
  /** The account's record, or 404. */
  const found = <T>(value: T | undefined): T => {
    if (!value) throw notFound();
    return value;
  };
  const idOf = (params: unknown) => (params as { id: string }).id;

  app.post(path, { schema: { body: CredentialCreate } }, async (req, reply) => {
    const ctx = contextOf(req, deps);
    const body = req.body as Static<typeof CredentialCreate>;
    const fields = { ...body, acl: checkAcl(body.acl ?? []) };
    const { credential, token } = await credentials.create(ctx.account.id, fields);
    return reply.code(201).send(readCredential(ctx, credential, token.reveal()));
  });

  app.get(path, async (req) => {
    const ctx = contextOf(req, deps);
    const page = pageOf(req);
    const list = await credentials.list(ctx.account.id, { limit: page.limit + 1, ...(page.beforeId && { beforeId: page.beforeId }) });
    return listBody(req, 'credentials', page, list.map((c) => ({ ...readCredential(ctx, c), id: c.id })));
  });

  app.get(`${path}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    return readCredential(ctx, found(await credentials.get(ctx.account.id, idOf(req.params))));
  });

  app.patch(`${path}/:id`, { schema: { body: CredentialUpdate } }, async (req) => {
    const ctx = contextOf(req, deps);
    const body = req.body as Static<typeof CredentialUpdate>;
    const updated = await credentials.update(ctx.account.id, idOf(req.params), { ...body, acl: body.acl === undefined ? undefined : checkAcl(body.acl ?? []) });
    return readCredential(ctx, found(updated));
  });

  app.delete(`${path}/:id`, async (req) => {
    const ctx = contextOf(req, deps);
    if (!(await credentials.delete(ctx.account.id, idOf(req.params)))) throw notFound();
    return {};
  });
}
