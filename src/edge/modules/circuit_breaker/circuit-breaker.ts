import type { CircuitBreakerPlan } from '../../../config/modules/plans.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';
import { CircuitBreaker } from './breaker.ts';

/**
 * `circuit_breaker`: 503 ERR_NGROK_3202 while the route's circuit is open. A request's outcome
 * is its response status once the chain has answered (the edge's own error pages count, a 502
 * as much as the service's 500). The breaker lives in the module, so it keeps its window for as
 * long as the route's modules do not change.
 */
export function circuitBreakerModule(plan: CircuitBreakerPlan): HttpModule {
  const breaker = new CircuitBreaker(plan);
  return {
    name: 'circuit_breaker',
    async handle(ex, next) {
      // A WebSocket has no status to count once it is open: it is only refused while the circuit is.
      if (!ex.res) return breaker.tripped ? ex.refuse(ErrorCode.ERR_EDGE_CIRCUIT_OPEN) : next();
      const admission = breaker.admit();
      if (admission === 'refuse') return ex.refuse(ErrorCode.ERR_EDGE_CIRCUIT_OPEN);
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
