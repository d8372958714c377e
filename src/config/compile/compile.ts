/**
 * The pure compile from stored records to what the data plane serves, shared by the data
 * plane (which builds its snapshot from the result) and the API (which runs it as a dry run
 * before every configuration write, so an invalid write is refused with its field path).
 */
import type { ResourceRecord } from '../../store/resources.ts';
import { backendKinds, configKinds, edgeKinds } from '../documents/kinds.ts';
import { compileBackends, type BackendPlan } from './backends.ts';
import { compileEdge, type EdgePlan } from './edges.ts';
import { ConfigProblem } from './problem.ts';
import type { IpRulePlan } from '../modules/plans.ts';
import { compileAccountRestrictions, type AccountRestrictions } from '../ip-rules/account-restrictions.ts';

export interface ConfigPlan {
  backends: Map<string, BackendPlan>;
  edges: Map<string, EdgePlan>;
  /** Every account's IP restrictions (`/ip_restrictions`). */
  restrictions: AccountRestrictions;
  /** Records that do not compile, by id. */
  problems: Map<string, ConfigProblem>;
}

/** Compiles records of the compiled kinds (documents/kinds.ts); others are ignored. */
export function compileConfig(records: readonly ResourceRecord[]): ConfigPlan {
  const of = (kinds: readonly string[]) => records.filter((r) => kinds.includes(r.kind));
  const backends = compileBackends(of(backendKinds));
  const caPems = new Map<string, string>();
  for (const r of of([configKinds.certificateAuthority]))
    if (typeof r.doc.ca_pem === 'string') caPems.set(`${r.account_id}/${r.id}`, r.doc.ca_pem);
  const ipPolicyRules = new Map<string, IpRulePlan[]>(
    of([configKinds.ipPolicy]).map((r) => [`${r.account_id}/${r.id}`, []]),
  );
  for (const r of of([configKinds.ipPolicyRule])) {
    const doc = r.doc as { ip_policy_id?: string; cidr?: string; action?: string };
    ipPolicyRules
      .get(`${r.account_id}/${doc.ip_policy_id}`)
      ?.push({ cidr: String(doc.cidr), action: doc.action === 'deny' ? 'deny' : 'allow' });
  }
  const edges = new Map<string, EdgePlan>();
  const account = compileAccountRestrictions(of([configKinds.ipRestriction]), ipPolicyRules);
  const problems = new Map([...backends.problems, ...account.problems]);
  for (const record of of(edgeKinds)) {
    try {
      edges.set(record.id, compileEdge(record, { backends: backends.plans, caPems, ipPolicyRules }));
    } catch (err) {
      if (!(err instanceof ConfigProblem)) throw err;
      problems.set(record.id, err);
    }
  }
  return { backends: backends.plans, edges, restrictions: account.restrictions, problems };
}
