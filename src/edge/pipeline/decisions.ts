import type { HttpModuleName } from '../../config/modules/plans.ts';

/**
 * What modules decide, counted: an IP restriction denial, a circuit opening, a webhook that
 * failed verification, a login. The edge process backs it with metrics (server/edge-metrics.ts);
 * modules see only this, never the metrics library.
 */
export interface ModuleDecisions {
  /**
   * The counter of one decision of one module. Resolved once when the module is built, then
   * called once per decision: the request path pays a call, no lookup.
   */
  counter(module: HttpModuleName, decision: ModuleDecision): () => void;
}

/** The decisions counted; a closed list, so the metric's labels stay few. */
export type ModuleDecision =
  /** ip_restriction, basic_auth, user_agent_filter, identity modules: the request was refused. */
  | 'denied'
  /** circuit_breaker: the circuit opened, closed again, or a request was refused while open. */
  | 'opened'
  | 'closed'
  | 'refused'
  /** webhook_verification: the signature did not verify. */
  | 'unverified'
  /** identity modules: a login completed, or failed at the provider. */
  | 'login'
  | 'failed';

function uncounted(): void {}

/** Decisions counted nowhere (tests, parts built without metrics). */
export const noDecisions: ModuleDecisions = { counter: () => uncounted };
