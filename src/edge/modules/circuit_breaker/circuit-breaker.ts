import type { CircuitBreakerPlan } from '../../../config/modules/plans.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';
import type { ModuleDeps } from '../../pipeline/build.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';
import { CircuitBreaker } from './breaker.ts';

/**
 * `circuit_breaker`: 503 ERR_NGROK_3202 while the route's circuit is open. A request's outcome
 * is its response status once the chain has answered (the edge's own error pages count, a 502
 * as much as the service's 500). The breaker lives in the module, so it keeps its window for as
 * long as the route's modules do not change.
 */
export function circuitBreakerModule(plan: CircuitBreakerPlan, deps: ModuleDeps): HttpModule {
  const refused = deps.decisions.counter('circuit_breaker', 'refused');
  const breaker = new CircuitBreaker(plan, Date.now, {
    opened: deps.decisions.counter('circuit_breaker', 'opened'),
    closed: deps.decisions.counter('circuit_breaker', 'closed'),
  });
  return {
    name: 'circuit_breaker',
    async handle(ex, next) {
      // A WebSocket has no status to count once it is open: it is only refused while the circuit is.
      if (!ex.res) return breaker.tripped ? (refused(), ex.refuse(ErrorCode.ERR_EDGE_CIRCUIT_OPEN)) : next();
      const admission = breaker.admit();
      if (admission === 'refuse') return (refused(), ex.refuse(ErrorCode.ERR_EDGE_CIRCUIT_OPEN));
      let failed = true;
      try {
        await next();
        failed = ex.res.statusCode >= 500;
      } finally {
        breaker.record(failed, admission === 'probe');
      }
    },
  };
}
