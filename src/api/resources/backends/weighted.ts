import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { ErrorCode } from '../../../errors/catalogue.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../../resource-fields.ts';
import type { ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { invalid } from '../../errors.ts';
import { refuseDeleteInUse, weightedBackend } from './backend-kinds.ts';

/** Largest weight of one child backend. */
export const maxWeight = 10_000;

/** Stored weighted backend: child backend id → weight (integer 0..10000). */
interface WeightedBackendDoc extends CommonDoc {
  backends: Record<string, number>;
}

const WeightedBackendCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  backends: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
type WeightedBackendCreate = Static<typeof WeightedBackendCreate>;

/**
 * Checks weights (400 ERR_NGROK_215); the normalised map. That the children exist in the
 * account, and form no cycle, is checked by compiling (api/config-gate.ts).
 */
function weights(backends: Record<string, unknown>): Record<string, number> {
  for (const [id, weight] of Object.entries(backends)) {
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > maxWeight) {
      throw invalid(
        ErrorCode.ERR_NGROK_215,
        `backends.${id}`,
        `weight ${JSON.stringify(weight)} must be an integer from 0 to ${maxWeight}`,
      );
    }
  }
  return backends as Record<string, number>;
}

/** Weighted backends: traffic is spread over child backends in proportion to their weights. */
export function registerWeightedBackends(app: FastifyInstance, deps: ApiDeps): void {
  const { kind, prefix, path } = weightedBackend;
  registerCrud<WeightedBackendDoc, WeightedBackendCreate, WeightedBackendCreate>(app, deps, {
    path,
    kind,
    prefix,
    listKey: 'backends',
    createSchema: WeightedBackendCreate,
    updateSchema: WeightedBackendCreate,
    create: async (body) => ({ doc: { ...commonCreate(body), backends: weights(body.backends ?? {}) } }),
    update: async (doc, body) =>
      body.backends === undefined
        ? commonPatch(doc, body)
        : { ...commonPatch(doc, body), backends: weights(body.backends) },
    read: (record, ctx) => ({ ...commonRead(ctx, path, record), backends: record.doc.backends }),
    beforeDelete: refuseDeleteInUse,
  });
}
