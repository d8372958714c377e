import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { ApiKey, ApiKeyCreate as ApiKeyFields } from '../../store/api-keys.ts';
import { Description, Metadata } from '../resource-fields.ts';
import type { ApiDeps } from '../context.ts';
import { OwnerId, registerTokenResource } from './token-resource.ts';

const ApiKeyCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  // Refused unless null or "": Portico has no users or bots to own one.
  owner_id: OwnerId,
});
const ApiKeyUpdate = Type.Object({ description: Type.Optional(Description), metadata: Type.Optional(Metadata) });

/** API keys: the bearer tokens of this API. Deleting the key in use is allowed. */
export function registerApiKeys(app: FastifyInstance, deps: ApiDeps): void {
  registerTokenResource<ApiKey, ApiKeyFields>(app, deps, {
    path: '/api_keys',
    listKey: 'keys',
    kind: 'api_key',
    repo: deps.store.apiKeys,
    createSchema: ApiKeyCreate,
    updateSchema: ApiKeyUpdate,
    fields: (body) => {
      const { description, metadata } = body as Static<typeof ApiKeyUpdate>;
      return { description, metadata };
    },
  });
}
