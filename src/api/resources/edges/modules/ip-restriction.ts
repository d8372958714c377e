import { Type } from 'typebox';
import type { ApiContext } from '../../../context.ts';
import { badReference } from '../../../errors.ts';
import { ref } from '../../../uri.ts';
import { ipPolicyKind, ipPolicyPath } from '../../ip-policies.ts';
import { defineModule, Enabled, enabledOf, fieldPath, type StoredModule } from './module-spec.ts';

interface IpRestrictionModule extends StoredModule {
  /** IP policies of the same account; a source must match an allow rule and no deny rule. */
  ip_policy_ids: string[];
}

/** Throws ERR_NGROK_1607 naming the first id that is not an IP policy of this account. */
async function requireIpPolicies(ctx: ApiContext, ids: readonly string[], field: string): Promise<void> {
  for (const [i, id] of ids.entries()) {
    if (!(await ctx.deps.store.resources.get(ctx.account.id, ipPolicyKind, id))) throw badReference('ERR_NGROK_1607', `${field}[${i}]`, id);
  }
}

/** `ip_restriction`: allow or deny by source address. Reads back as `ip_policies` Refs. */
export const ipRestrictionModule = defineModule({
  name: 'ip_restriction',
  schema: Type.Object({ enabled: Enabled, ip_policy_ids: Type.Array(Type.String()) }),
  normalize: async (body, ctx, field): Promise<IpRestrictionModule> => {
    const ids = [...new Set(body.ip_policy_ids)];
    await requireIpPolicies(ctx, ids, fieldPath(field, 'ip_policy_ids'));
    return { enabled: enabledOf(body), ip_policy_ids: ids };
  },
  read: (stored: IpRestrictionModule, owner) => ({ enabled: stored.enabled, ip_policies: stored.ip_policy_ids.map((id) => ref(owner.req, ipPolicyPath, id)) }),
});
