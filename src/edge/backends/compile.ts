import type { BackendPlan } from '../../config/compile/backends.ts';
import type { Backend, BackendDeps } from './backend.ts';
import { FailoverBackend } from './failover/failover.ts';
import { HttpResponseBackend } from './http_response/http-response.ts';
import { StaticBackend } from './static/static.ts';
import { TunnelGroupBackend } from './tunnel_group/tunnel-group.ts';
import { WeightedBackend } from './weighted/weighted.ts';

/**
 * Builds the backend objects from their compiled plans once per snapshot (the configuration
 * layer resolved children and refused cycles), so serving a request does no lookups.
 */
export function buildBackends(plans: ReadonlyMap<string, BackendPlan>, deps: BackendDeps): Map<string, Backend> {
  const built = new Map<string, Backend>();
  const build = (id: string): Backend => {
    let backend = built.get(id);
    if (!backend) {
      backend = create(plans.get(id)!, build, deps);
      built.set(id, backend);
    }
    return backend;
  };
  for (const id of plans.keys()) build(id);
  return built;
}

function create(plan: BackendPlan, child: (id: string) => Backend, deps: BackendDeps): Backend {
  switch (plan.kind) {
    case 'tunnel_group':
      return new TunnelGroupBackend(plan.id, plan.accountId, plan.labels, deps);
    case 'failover':
      return new FailoverBackend(plan.id, plan.children.map(child));
    case 'weighted':
      return new WeightedBackend(
        plan.id,
        plan.children.map((c) => ({ backend: child(c.id), weight: c.weight })),
      );
    case 'http_response':
      return new HttpResponseBackend(plan.id, plan.statusCode, plan.headers, plan.body);
    case 'static':
      return new StaticBackend(plan.id, { host: plan.host, port: plan.port, tls: plan.tls }, deps);
  }
}
