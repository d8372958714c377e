import { Type, type Static } from 'typebox';
import { invalid } from '../../../errors.ts';
import { defineModule, Enabled, enabledOf, fieldPath, StringList, type StoredModule } from './module-spec.ts';

const Rule = Type.Object({
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  expressions: StringList,
  actions: Type.Optional(Type.Union([Type.Array(Type.Object({ type: Type.String(), config: Type.Optional(Type.Unknown()) })), Type.Null()])),
});

/** One traffic-policy rule: when every expression holds, the actions run in order. */
export interface PolicyRule {
  name: string;
  expressions: string[];
  actions: Array<{ type: string; config: unknown }>;
}

interface PolicyModule extends StoredModule {
  inbound: PolicyRule[];
  outbound: PolicyRule[];
}

function rules(list: Array<Static<typeof Rule>> | null | undefined, field: string): PolicyRule[] {
  return (list ?? []).map((rule, i) => {
    const actions = (rule.actions ?? []).map((a, j) => {
      if (!a.type) throw invalid('ERR_NGROK_215', `${field}[${i}].actions[${j}].type`, 'is required');
      return { type: a.type, config: a.config ?? null };
    });
    return { name: rule.name ?? '', expressions: rule.expressions ?? [], actions };
  });
}

/** `policy` (extra, API 0.11.0's traffic policy): inbound and outbound rules, stored as given. */
export const policyModule = defineModule({
  name: 'policy',
  schema: Type.Object({ enabled: Enabled, inbound: Type.Optional(Type.Union([Type.Array(Rule), Type.Null()])), outbound: Type.Optional(Type.Union([Type.Array(Rule), Type.Null()])) }),
  normalize: (body, _ctx, field): PolicyModule => ({
    enabled: enabledOf(body),
    inbound: rules(body.inbound, fieldPath(field, 'inbound')),
    outbound: rules(body.outbound, fieldPath(field, 'outbound')),
  }),
});
