/**
 * An account's IP restrictions (`/ip_restrictions`): which source addresses may call the API
 * with the account's keys (`api`), open agent sessions with its authtokens (`agent`), and reach
 * its endpoints, agent endpoints and edges alike (`endpoints`). Each restriction names IP
 * policies; a source passes one when it matches an allow rule of them and no deny rule. A
 * source must pass every enforced restriction of the type; one it fails that is not enforced
 * only has it logged.
 */
import { ErrorCode } from '../../errors/catalogue.ts';
import { ConfigProblem } from '../compile/problem.ts';
import { rulesOfPolicies, type IpPolicyRules } from '../modules/ip-restriction.ts';
import type { IpRulePlan } from '../modules/plans.ts';
import { IpFilter } from './ip-filter.ts';
import { restrictionTypes, type RestrictionType } from './restriction-types.ts';

/** An `ip_restriction` record as stored. */
export interface IpRestrictionDoc {
  type: RestrictionType;
  enforced: boolean;
  ip_policy_ids: string[];
}

/** Logs that a restriction which is not enforced would have refused a source. */
export type UnenforcedWarning = (message: string, fields: Record<string, unknown>) => void;

/** How many sources a restriction remembers having warned about before it starts over. */
const REMEMBERED_WARNINGS = 128;

interface Restriction {
  id: string;
  enforced: boolean;
  filter: IpFilter;
  /** Sources already warned about (unenforced restrictions), so the log gets one line each. */
  warned: Set<string>;
}

/** Every account's restrictions, compiled; immutable but for the warnings it remembers. */
export class AccountRestrictions {
  private readonly byAccount = new Map<string, Map<RestrictionType, Restriction[]>>();

  /** Adds restriction `id` of `accountId`, with the rules of the policies it names. */
  add(accountId: string, id: string, doc: Pick<IpRestrictionDoc, 'type' | 'enforced'>, rules: IpRulePlan[]): void {
    let types = this.byAccount.get(accountId);
    if (!types) this.byAccount.set(accountId, (types = new Map<RestrictionType, Restriction[]>()));
    const list = types.get(doc.type) ?? [];
    list.push({ id, enforced: doc.enforced, filter: new IpFilter(rules), warned: new Set() });
    types.set(doc.type, list);
  }

  /** Whether the account restricts `type` at all (so a caller can skip working out the source). */
  restricts(accountId: string, type: RestrictionType): boolean {
    return this.byAccount.get(accountId)?.has(type) ?? false;
  }

  /**
   * Whether `ip` passes every enforced `type` restriction of the account. A restriction not
   * enforced that `ip` fails is told to `warn`, once per source and restriction.
   */
  admits(accountId: string, type: RestrictionType, ip: string, warn?: UnenforcedWarning): boolean {
    const list = this.byAccount.get(accountId)?.get(type);
    if (!list) return true;
    let admitted = true;
    for (const r of list) {
      if (r.filter.admits(ip)) continue;
      if (r.enforced) admitted = false;
      else if (warn && !r.warned.has(ip)) {
        if (r.warned.size >= REMEMBERED_WARNINGS) r.warned.clear();
        r.warned.add(ip);
        warn('an IP restriction that is not enforced would refuse this source', {
          restriction: r.id,
          type,
          ip,
          accountId,
        });
      }
    }
    return admitted;
  }

  static empty(): AccountRestrictions {
    return new AccountRestrictions();
  }
}

/** A stored restriction and whose it is. */
interface RestrictionRecord {
  id: string;
  account_id: string;
  doc: Record<string, unknown>;
}

/**
 * Compiles the restrictions of `records` with the rules of the policies they name, which must
 * be their account's own. A restriction that does not compile admits no source, and its problem
 * is returned (the API refuses any write that would make one).
 */
export function compileAccountRestrictions(
  records: readonly RestrictionRecord[],
  policies: IpPolicyRules,
): { restrictions: AccountRestrictions; problems: Map<string, ConfigProblem> } {
  const restrictions = new AccountRestrictions();
  const problems = new Map<string, ConfigProblem>();
  for (const record of records) {
    const doc = record.doc as unknown as IpRestrictionDoc;
    let rules: IpRulePlan[];
    try {
      rules = rulesOf(doc, record.account_id, policies);
    } catch (err) {
      if (!(err instanceof ConfigProblem)) throw err;
      problems.set(record.id, err);
      // Closed, not open: a restriction whose policies cannot be read admits no one.
      rules = [];
    }
    if (restrictionTypes.includes(doc.type)) restrictions.add(record.account_id, record.id, doc, rules);
  }
  return { restrictions, problems };
}

function rulesOf(doc: IpRestrictionDoc, accountId: string, policies: IpPolicyRules): IpRulePlan[] {
  if (!restrictionTypes.includes(doc.type))
    throw new ConfigProblem('type', ErrorCode.ERR_NGROK_1803, `"${String(doc.type)}"`);
  const ids = doc.ip_policy_ids ?? [];
  if (ids.length === 0) throw new ConfigProblem('ip_policy_ids', ErrorCode.ERR_NGROK_1804, 'is empty');
  return rulesOfPolicies(ids, 'ip_policy_ids', accountId, policies);
}
