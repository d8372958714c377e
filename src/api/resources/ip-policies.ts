import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorCode } from '../../errors/catalogue.ts';
import type { ResourceRecord } from '../../store/resources.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../resource-fields.ts';
import { auditChange } from '../audit.ts';
import type { ApiContext, ApiDeps } from '../context.ts';
import { registerCrud } from '../crud.ts';
import { stillInUse } from '../errors.ts';
import { ref } from '../uri.ts';

export const ipPolicyPath = '/ip_policies';
export const ipPolicyKind = 'ip_policy';
export const ipPolicyRulePath = '/ip_policy_rules';
export const ipPolicyRuleKind = 'ip_policy_rule';

/** A stored IP policy rule. */
export interface IpPolicyRuleDoc extends CommonDoc {
  cidr: string;
  ip_policy_id: string;
  action: 'allow' | 'deny';
}

/** The read shape of a rule (here, beside its policy, whose delete reports the rules it takes along). */
export function readIpPolicyRule(record: ResourceRecord<IpPolicyRuleDoc>, ctx: ApiContext): Record<string, unknown> {
  return {
    ...commonRead(ctx, ipPolicyRulePath, record),
    cidr: record.doc.cidr,
    ip_policy: ref(ctx.req, ipPolicyPath, record.doc.ip_policy_id),
    action: record.doc.action,
  };
}

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
        for (const rule of users) {
          await deps.store.resources.delete(ctx.account.id, rule.kind, rule.id);
          auditChange(ctx, ipPolicyRuleKind, 'deleted', readIpPolicyRule(rule as ResourceRecord<IpPolicyRuleDoc>, ctx));
        }
      },
    },
  );
}
