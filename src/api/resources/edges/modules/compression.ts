import { Type } from 'typebox';
import { defineModule, Enabled, enabledOf, type StoredModule } from './module-spec.ts';

/** `compression`: gzip/deflate responses for clients that accept them. */
export const compressionModule = defineModule({
  name: 'compression',
  schema: Type.Object({ enabled: Enabled }),
  normalize: (body): StoredModule => ({ enabled: enabledOf(body) }),
});
