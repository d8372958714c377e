import { Type, type Static } from 'typebox';
import { ErrorCode } from '../../../../errors/catalogue.ts';
import { invalid } from '../../../errors.ts';
import {
  defineModule,
  Enabled,
  enabledOf,
  fieldPath,
  StringList,
  type SecretMap,
  type StoredModule,
} from './module-spec.ts';

const Rule = Type.Object({
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  expressions: StringList,
  actions: Type.Optional(
    Type.Union([Type.Array(Type.Object({ type: Type.String(), config: Type.Optional(Type.Unknown()) })), Type.Null()]),
  ),
});

/**
 * One action of a rule. Its `config` may carry secrets (basic-auth credentials, client
 * secrets), so at rest it is kept sealed as JSON in `config_sealed` (`config` null).
 */
export interface PolicyAction {
  type: string;
  config: unknown;
  config_sealed?: string;
}

/** One traffic-policy rule: when every expression holds, the actions run in order. */
export interface PolicyRule {
  name: string;
  expressions: string[];
  actions: PolicyAction[];
}

interface PolicyModule extends StoredModule {
  inbound: PolicyRule[];
  outbound: PolicyRule[];
}

function rules(list: Array<Static<typeof Rule>> | null | undefined, field: string): PolicyRule[] {
  return (list ?? []).map((rule, i) => {
    const actions = (rule.actions ?? []).map((a, j) => {
      if (!a.type) throw invalid(ErrorCode.ERR_NGROK_215, `${field}[${i}].actions[${j}].type`, 'is required');
      return { type: a.type, config: a.config ?? null };
    });
    return { name: rule.name ?? '', expressions: rule.expressions ?? [], actions };
  });
}

/** Applies `f` to every action of both directions. */
function mapActions(m: PolicyModule, f: (a: PolicyAction) => PolicyAction): PolicyModule {
  // Lists are always present in documents this version wrote; tolerate older ones without.
  const rulesOf = (list: PolicyRule[] | undefined) =>
    list?.map((r) => ({ ...r, actions: (r.actions ?? []).map(f) })) ?? [];
  return { ...m, inbound: rulesOf(m.inbound), outbound: rulesOf(m.outbound) };
}

/** Seals a plain action's config (one sealed already is left as it is). */
function sealAction(a: PolicyAction, seal: SecretMap): PolicyAction {
  if (a.config_sealed !== undefined || a.config === null) return a;
  return { type: a.type, config: null, config_sealed: seal(JSON.stringify(a.config)) };
}

/** The action as read: its config opened, no `config_sealed`. */
function openAction(a: PolicyAction, open: SecretMap): PolicyAction {
  if (a.config_sealed === undefined) return a;
  return { type: a.type, config: JSON.parse(open(a.config_sealed)) as unknown };
}

/** `policy` (extra, API 0.11.0's traffic policy): inbound and outbound rules, stored as given (action configs sealed). */
export const policyModule = defineModule({
  name: 'policy',
  schema: Type.Object({
    enabled: Enabled,
    inbound: Type.Optional(Type.Union([Type.Array(Rule), Type.Null()])),
    outbound: Type.Optional(Type.Union([Type.Array(Rule), Type.Null()])),
  }),
  normalize: (body, _ctx, field): PolicyModule => ({
    enabled: enabledOf(body),
    inbound: rules(body.inbound, fieldPath(field, 'inbound')),
    outbound: rules(body.outbound, fieldPath(field, 'outbound')),
  }),
  secrets: {
    seal: (m, seal) => mapActions(m, (a) => sealAction(a, seal)),
    open: (m, open) => mapActions(m, (a) => openAction(a, open)),
  },
});
