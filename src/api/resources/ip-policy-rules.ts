import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { canonicalCidr } from '../../config/names/cidr.ts';
import { ErrorCode } from '../../errors/catalogue.ts';
import { commonCreate, commonPatch, Description, Metadata } from '../resource-fields.ts';
import type { ApiDeps } from '../context.ts';
import { registerCrud } from '../crud.ts';
import { ApiError, invalid } from '../errors.ts';
import { proposedRecord, refuseApiLockout } from '../ip-lockout.ts';
import {
  ipPolicyKind,
  ipPolicyRuleKind,
  ipPolicyRulePath,
  readIpPolicyRule,
  type IpPolicyRuleDoc,
} from './ip-policies.ts';

const IpPolicyRuleCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  cidr: Type.String(),
  ip_policy_id: Type.String(),
  action: Type.Optional(Type.String()),
});
const IpPolicyRuleUpdate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  cidr: Type.Optional(Type.String()),
  /** Not changeable (as on ngrok); accepted only when it is the rule's action already. */
  action: Type.Optional(Type.String()),
});

/** Normalises "10.0.0.0/8", "2001:db8::/32" or a bare address (as /32 or /128); throws on anything else. */
export function normalizeCidr(value: string, field = 'cidr'): string {
  const cidr = canonicalCidr(value);
  if (cidr) return cidr;
  throw invalid(
    ErrorCode.ERR_NGROK_1410,
    field,
    `"${value}" is not a CIDR such as 10.0.0.0/8 or 2001:db8::/32 (IPv4 in four decimal parts without leading zeros, IPv6 without a %zone)`,
  );
}

/** Refuses a PATCH `action` other than the rule's own: a rule's action cannot change (as on ngrok). */
function refuseActionChange(doc: IpPolicyRuleDoc, action: string | undefined): void {
  if (action === undefined || action.toLowerCase() === doc.action) return;
  throw invalid(
    ErrorCode.ERR_NGROK_215,
    'action',
    `a rule's action cannot be changed (it is "${doc.action}"); delete the rule and create it with the other action`,
  );
}

/** IP policy rules: one CIDR each, allowing or denying, inside a policy. */
export function registerIpPolicyRules(app: FastifyInstance, deps: ApiDeps): void {
  const path = ipPolicyRulePath;
  registerCrud<IpPolicyRuleDoc, Static<typeof IpPolicyRuleCreate>, Static<typeof IpPolicyRuleUpdate>>(app, deps, {
    path,
    kind: ipPolicyRuleKind,
    prefix: 'ipr',
    listKey: 'ip_policy_rules',
    createSchema: IpPolicyRuleCreate,
    updateSchema: IpPolicyRuleUpdate,
    create: async (body, ctx) => {
      const action = (body.action ?? 'allow').toLowerCase();
      if (action !== 'allow' && action !== 'deny')
        throw invalid(ErrorCode.ERR_NGROK_215, 'action', 'must be "allow" or "deny"');
      if (!(await deps.store.resources.get(ctx.account.id, ipPolicyKind, body.ip_policy_id))) {
        throw new ApiError(ErrorCode.ERR_NGROK_1402, `ip_policy_id: ${body.ip_policy_id} does not exist`, {
          field: 'ip_policy_id',
        });
      }
      const doc: IpPolicyRuleDoc = {
        ...commonCreate(body),
        cidr: normalizeCidr(body.cidr),
        ip_policy_id: body.ip_policy_id,
        action,
      };
      await refuseApiLockout(ctx, (records) => [...records, proposedRecord(ctx.account.id, ipPolicyRuleKind, doc)]);
      return { doc };
    },
    update: async (doc, body, ctx, record) => {
      refuseActionChange(doc, body.action);
      const next = {
        ...commonPatch(doc, body),
        ...(body.cidr !== undefined && { cidr: normalizeCidr(body.cidr) }),
      };
      await refuseApiLockout(ctx, (records) => records.map((r) => (r.id === record.id ? { ...r, doc: next } : r)));
      return next;
    },
    read: readIpPolicyRule,
    beforeDelete: (record, ctx) => refuseApiLockout(ctx, (records) => records.filter((r) => r.id !== record.id)),
  });
}
