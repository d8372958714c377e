import { Type } from 'typebox';
import { ref } from '../../../uri.ts';
import { ipPolicyPath } from '../../ip-policies.ts';
import { defineModule, Enabled, enabledOf, type StoredModule } from './module-spec.ts';

interface IpRestrictionModule extends StoredModule {
  /** IP policies of the same account; a source must match an allow rule and no deny rule. */
  ip_policy_ids: string[];
}

/** `ip_restriction`: allow or deny by source address. Reads back as `ip_policies` Refs. */
export const ipRestrictionModule = defineModule({
  name: 'ip_restriction',
  schema: Type.Object({ enabled: Enabled, ip_policy_ids: Type.Array(Type.String()) }),
  // That every id is an IP policy of the account is checked by compiling (api/config-gate.ts).
  normalize: (body): IpRestrictionModule => ({
    enabled: enabledOf(body),
    ip_policy_ids: [...new Set(body.ip_policy_ids)],
  }),
  disabled: (): IpRestrictionModule => ({ enabled: false, ip_policy_ids: [] }),
  read: (stored: IpRestrictionModule, owner) => ({
    enabled: stored.enabled,
    ip_policies: stored.ip_policy_ids.map((id) => ref(owner.req, ipPolicyPath, id)),
  }),
});
