import type { IpRestrictionPlan } from '../../../config/modules/plans.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';
import type { ModuleDeps } from '../../pipeline/build.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';
import { IpFilter } from '../../../config/ip-rules/ip-filter.ts';

/** `ip_restriction` on the HTTP path: 403 ERR_NGROK_3205 before anything reaches the service. */
export function ipRestrictionModule(plan: IpRestrictionPlan, deps: ModuleDeps): HttpModule {
  const filter = new IpFilter(plan.rules);
  const denied = deps.decisions.counter('ip_restriction', 'denied');
  return {
    name: 'ip_restriction',
    async handle(ex, next) {
      if (!filter.admits(ex.clientIp)) return (denied(), ex.refuse(ErrorCode.ERR_EDGE_IP_RESTRICTED));
      return next();
    },
  };
}
