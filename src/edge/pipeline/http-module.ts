import type { HttpModuleName } from '../../config/modules/plans.ts';
import type { ModuleExchange } from './exchange.ts';

/** Calls the rest of the chain (later modules, then the backend) once. */
export type Next = () => Promise<void>;

/**
 * One module on the HTTP path, built once per snapshot from its plan. `handle` refuses and
 * returns, or awaits `next()` once (and may act on the outcome, as the circuit breaker does).
 */
export interface HttpModule {
  readonly name: HttpModuleName;
  handle(ex: ModuleExchange, next: Next): Promise<void>;
}

/** Runs `modules` in order around `terminal` (the backend). */
export function runModules(modules: readonly HttpModule[], ex: ModuleExchange, terminal: Next): Promise<void> {
  const step = (i: number): Promise<void> =>
    i === modules.length ? terminal() : modules[i]!.handle(ex, () => step(i + 1));
  return step(0);
}
