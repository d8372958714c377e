import { Type } from 'typebox';
import { backendRef } from '../../backends/backend-kinds.ts';
import { defineModule, Enabled, enabledOf, type StoredModule } from './module-spec.ts';

interface BackendModule extends StoredModule {
  /** A failover, tunnel-group, weighted or http-response backend of the same account. */
  backend_id: string;
}

/** `backend`: where the route's or edge's traffic goes. Reads back as a `backend` Ref. */
export const backendModule = defineModule({
  name: 'backend',
  schema: Type.Object({ enabled: Enabled, backend_id: Type.String() }),
  // That the backend exists in the account (and suits the edge) is checked by compiling (api/config-gate.ts).
  normalize: (body): BackendModule => ({ enabled: enabledOf(body), backend_id: body.backend_id }),
  disabled: (): BackendModule => ({ enabled: false, backend_id: '' }),
  read: (stored: BackendModule, owner) => ({
    enabled: stored.enabled,
    backend: stored.backend_id ? backendRef(owner.req, stored.backend_id) : null,
  }),
});
