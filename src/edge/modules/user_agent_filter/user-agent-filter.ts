import type { UserAgentFilterPlan } from '../../../config/modules/plans.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';
import type { ModuleDeps } from '../../pipeline/build.ts';
import { noDecisions } from '../../pipeline/decisions.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';
import { compileRe2 } from '../../../packages/re2.ts';

/**
 * `user_agent_filter`, as ngrok runs it: a request is let through when its User-Agent matches
 * an allow pattern, or matches no deny pattern; otherwise 403 ERR_NGROK_3211. Allow patterns
 * only override denies: on their own they refuse nothing. A request without a User-Agent (or
 * with an empty one) is refused unless an allow pattern matches the empty string (`^$`).
 * Patterns are RE2, unanchored, compiled once (the configuration layer checked them).
 */
export function userAgentFilterModule(
  plan: UserAgentFilterPlan,
  deps: Pick<ModuleDeps, 'decisions'> = { decisions: noDecisions },
): HttpModule {
  const denied = deps.decisions.counter('user_agent_filter', 'denied');
  const allow = plan.allow.map(compileRe2);
  const deny = plan.deny.map(compileRe2);
  const admits = (ua: string) => allow.some((re) => re.test(ua)) || (ua !== '' && !deny.some((re) => re.test(ua)));
  return {
    name: 'user_agent_filter',
    async handle(ex, next) {
      // Node keeps the first of repeated User-Agent headers, the one ngrok checks.
      if (!admits(ex.req.headers['user-agent'] ?? ''))
        return (denied(), ex.refuse(ErrorCode.ERR_EDGE_USER_AGENT_DENIED));
      return next();
    },
  };
}
