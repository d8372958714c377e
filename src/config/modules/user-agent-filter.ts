import { ErrorCode } from '../../errors/catalogue.ts';
import { ConfigProblem } from '../compile/problem.ts';
import type { UserAgentFilterPlan } from './plans.ts';
import { compileRe2 } from '../../packages/re2.ts';

/** A `user_agent_filter` module as stored. */
export interface UserAgentFilterSlot {
  enabled?: boolean;
  allow?: string[] | null;
  deny?: string[] | null;
}

/** Checks every pattern is RE2 (ngrok's syntax), so the data plane's compile cannot fail. */
export function compileUserAgentFilter(slot: UserAgentFilterSlot, field: string): UserAgentFilterPlan {
  const check = (list: string[] | null | undefined, key: string) =>
    (list ?? []).map((pattern, i) => {
      try {
        compileRe2(pattern);
      } catch (err) {
        throw new ConfigProblem(
          `${field}.${key}[${i}]`,
          ErrorCode.ERR_PATTERN_INVALID,
          `"${pattern}": ${(err as Error).message}`,
        );
      }
      return pattern;
    });
  return { name: 'user_agent_filter', allow: check(slot.allow, 'allow'), deny: check(slot.deny, 'deny') };
}
