import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorCode } from '../../errors/catalogue.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../resource-fields.ts';
import type { ApiDeps } from '../context.ts';
import { registerCrud } from '../crud.ts';
import { stillInUse } from '../errors.ts';

export const ipPolicyPath = '/ip_policies';
export const ipPolicyKind = 'ip_policy';

const IpPolicyCreate = Type.Object({ description: Type.Optional(Description), metadata: Type.Optional(Metadata) });

/** IP policies: named sets of allow/deny rules that ip_restriction modules refer to. */
export function registerIpPolicies(app: FastifyInstance, deps: ApiDeps): void {
  registerCrud<CommonDoc, { description?: string; metadata?: string }, { description?: string; metadata?: string }>(
    app,
    deps,
    {
      path: ipPolicyPath,
      kind: ipPolicyKind,
      prefix: 'ipp',
      listKey: 'ip_policies',
      createSchema: IpPolicyCreate,
      updateSchema: IpPolicyCreate,
      create: async (body) => ({ doc: commonCreate(body) }),
      update: async (doc, body) => commonPatch(doc, body),
      read: (record, ctx) => commonRead(ctx, ipPolicyPath, record),
      // A policy's own rules go with it; anything else that names it keeps it alive.
      beforeDelete: async (record, ctx) => {
        const users = await deps.store.resources.referencing(ctx.account.id, record.id, record.id);
        const blocking = users.filter((u) => u.kind !== 'ip_policy_rule');
        if (blocking.length)
          throw stillInUse(
            ErrorCode.ERR_IP_POLICY_IN_USE,
            record.id,
            blocking.map((u) => u.id),
          );
        for (const rule of users) await deps.store.resources.delete(ctx.account.id, rule.kind, rule.id);
      },
    },
  );
}
