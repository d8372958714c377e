import { ErrorCode } from '../../errors/catalogue.ts';
import { ConfigProblem } from '../compile/problem.ts';
import type { IpRestrictionPlan, IpRulePlan } from './plans.ts';

/** An `ip_restriction` module as stored. */
export interface IpRestrictionSlot {
  enabled?: boolean;
  ip_policy_ids?: string[];
}

/** The rules of every IP policy, by `<account id>/<policy id>`. */
export type IpPolicyRules = ReadonlyMap<string, readonly IpRulePlan[]>;

/** The rules of the policies an `ip_restriction` names, which must be the account's own. */
export function compileIpRestriction(
  slot: IpRestrictionSlot,
  field: string,
  accountId: string,
  policies: IpPolicyRules,
): IpRestrictionPlan {
  const ids = slot.ip_policy_ids ?? [];
  if (ids.length === 0) throw new ConfigProblem(`${field}.ip_policy_ids`, ErrorCode.ERR_NGROK_7025, 'is empty');
  const rules = rulesOfPolicies(ids, `${field}.ip_policy_ids`, accountId, policies);
  return { name: 'ip_restriction', rules };
}

/** The rules of the IP policies `ids` (listed at `field`), which must be the account's own. */
export function rulesOfPolicies(
  ids: readonly string[],
  field: string,
  accountId: string,
  policies: IpPolicyRules,
): IpRulePlan[] {
  const rules: IpRulePlan[] = [];
  for (const [i, id] of ids.entries()) {
    const policy = policies.get(`${accountId}/${id}`);
    if (!policy) throw new ConfigProblem(`${field}[${i}]`, ErrorCode.ERR_NGROK_1607, `${id} does not exist`);
    rules.push(...policy);
  }
  return rules;
}

/**
 * An agent's allow and deny CIDRs as rules. With deny CIDRs alone every other source is let in
 * (ngrok's agent does the same: `--cidr-deny` by itself blocks only what it names).
 */
export function agentIpRules(allow: readonly string[], deny: readonly string[]): IpRulePlan[] {
  const allowed = allow.length ? allow : ['0.0.0.0/0', '::/0'];
  return [
    ...allowed.map((cidr) => ({ cidr, action: 'allow' as const })),
    ...deny.map((cidr) => ({ cidr, action: 'deny' as const })),
  ];
}
