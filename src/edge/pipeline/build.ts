/**
 * Module plans become module chains, once per snapshot. A chain whose plans did not change
 * since the previous snapshot is kept as it was, so state that lives in a module (a circuit
 * breaker's window) survives unrelated configuration changes.
 */
import type { HttpModuleName, HttpModulePlan } from '../../config/modules/plans.ts';
import { basicAuthModule } from '../modules/basic_auth/basic-auth.ts';
import { ipRestrictionModule } from '../modules/ip_restriction/ip-restriction.ts';
import { requestHeadersModule } from '../modules/request_headers/request-headers.ts';
import { responseHeadersModule } from '../modules/response_headers/response-headers.ts';
import type { HttpModule } from './http-module.ts';

type Factory<N extends HttpModuleName> = (plan: Extract<HttpModulePlan, { name: N }>) => HttpModule;

/** How each module is built from its plan. The configuration refuses any module missing here. */
const factories: { [N in HttpModuleName]?: Factory<N> } = {
  ip_restriction: ipRestrictionModule,
  basic_auth: basicAuthModule,
  request_headers: requestHeadersModule,
  response_headers: responseHeadersModule,
};

/** Whether this edge builds (so runs) the module `name`; agent binds asking for another are refused. */
export function isBuilt(name: HttpModuleName): boolean {
  return factories[name] !== undefined;
}

/** Builds a chain from plans once, for an owner outside snapshots (an agent endpoint, at bind). */
export function buildChain(plans: readonly HttpModulePlan[]): readonly HttpModule[] {
  return plans.map(build);
}

function build(plan: HttpModulePlan): HttpModule {
  const factory = factories[plan.name] as Factory<typeof plan.name> | undefined;
  if (!factory) throw new Error(`no module is built for ${plan.name}`);
  return factory(plan as never);
}

/** A chain with the plans it was built from. */
interface Chain {
  key: string;
  modules: readonly HttpModule[];
}

/** The module chains of one snapshot, by owner (route or endpoint id). */
export class ModuleChains {
  private readonly chains = new Map<string, Chain>();

  constructor(private readonly previous?: ModuleChains) {}

  /** The chain for `ownerId`: the previous snapshot's if its plans are the same, else new. */
  chainFor(ownerId: string, plans: readonly HttpModulePlan[]): readonly HttpModule[] {
    if (plans.length === 0) return [];
    const key = JSON.stringify(plans);
    const kept = this.previous?.chains.get(ownerId);
    const chain = kept?.key === key ? kept : { key, modules: plans.map(build) };
    this.chains.set(ownerId, chain);
    return chain.modules;
  }
}
