import { Type } from 'typebox';
import { badReference } from '../../../errors.ts';
import { backendRef, findBackend } from '../../backends/backend-kinds.ts';
import { defineModule, Enabled, enabledOf, fieldPath, type StoredModule } from './module-spec.ts';

interface BackendModule extends StoredModule {
  /** A failover, tunnel-group, weighted or http-response backend of the same account. */
  backend_id: string;
}

/** `backend`: where the route's or edge's traffic goes. Reads back as a `backend` Ref. */
export const backendModule = defineModule({
  name: 'backend',
  schema: Type.Object({ enabled: Enabled, backend_id: Type.String() }),
  normalize: async (body, ctx, field): Promise<BackendModule> => {
    if (!(await findBackend(ctx, body.backend_id))) throw badReference('ERR_NGROK_242', fieldPath(field, 'backend_id'), body.backend_id);
    return { enabled: enabledOf(body), backend_id: body.backend_id };
  },
  read: (stored: BackendModule, owner) => ({ enabled: stored.enabled, backend: backendRef(owner.req, stored.backend_id) }),
});
