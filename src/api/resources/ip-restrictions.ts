import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { configKinds } from '../../config/documents/kinds.ts';
import type { IpRestrictionDoc } from '../../config/ip-rules/account-restrictions.ts';
import { restrictionTypes } from '../../config/ip-rules/restriction-types.ts';
import { ErrorCode } from '../../errors/catalogue.ts';
import type { ResourceRecord } from '../../store/resources.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../resource-fields.ts';
import type { ApiDeps } from '../context.ts';
import { registerCrud } from '../crud.ts';
import { invalid } from '../errors.ts';
import { proposedRecord, refuseApiLockout } from '../ip-lockout.ts';
import { ref } from '../uri.ts';
import { ipPolicyPath } from './ip-policies.ts';

export const ipRestrictionPath = '/ip_restrictions';

type RestrictionDoc = CommonDoc & IpRestrictionDoc;

const PolicyIds = Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 });
const IpRestrictionCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  enforced: Type.Optional(Type.Boolean()),
  type: Type.String(),
  ip_policy_ids: PolicyIds,
});
const IpRestrictionUpdate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  enforced: Type.Optional(Type.Boolean()),
  ip_policy_ids: Type.Optional(PolicyIds),
  /** Not changeable (ngrok's update has no type); accepted only when it is the restriction's type already. */
  type: Type.Optional(Type.String()),
});

/** The type a create names, or ERR_NGROK_1803 saying which are served. */
function restrictionType(value: string): IpRestrictionDoc['type'] {
  const type = restrictionTypes.find((t) => t === value);
  if (type) return type;
  const why =
    value === 'dashboard'
      ? 'Portico has no dashboard to restrict; use "api" for the API'
      : `"${value}" is not one of ${restrictionTypes.join(', ')}`;
  throw invalid(ErrorCode.ERR_NGROK_1803, 'type', why);
}

/**
 * IP restrictions of the account: which source addresses may use its API keys (`api`), its
 * authtokens (`agent`) and reach its endpoints (`endpoints`), by IP policies. Enforced by the
 * data plane and the API from the compiled configuration (config/ip-rules/account-restrictions.ts).
 */
export function registerIpRestrictions(app: FastifyInstance, deps: ApiDeps): void {
  const path = ipRestrictionPath;
  registerCrud<RestrictionDoc, Static<typeof IpRestrictionCreate>, Static<typeof IpRestrictionUpdate>>(app, deps, {
    path,
    kind: configKinds.ipRestriction,
    prefix: 'ipx',
    listKey: 'ip_restrictions',
    createSchema: IpRestrictionCreate,
    updateSchema: IpRestrictionUpdate,
    create: async (body, ctx) => {
      const doc: RestrictionDoc = {
        ...commonCreate(body),
        type: restrictionType(body.type),
        // As on ngrok: a restriction only warns until it is made enforced.
        enforced: body.enforced ?? false,
        ip_policy_ids: body.ip_policy_ids,
      };
      await refuseApiLockout(ctx, (records) => [
        ...records,
        proposedRecord(ctx.account.id, configKinds.ipRestriction, doc),
      ]);
      return { doc };
    },
    update: async (doc, body, ctx, record) => {
      if (body.type !== undefined && body.type !== doc.type)
        throw invalid(
          ErrorCode.ERR_NGROK_215,
          'type',
          `a restriction's type cannot be changed (it is "${doc.type}"); create another restriction`,
        );
      const next: RestrictionDoc = {
        ...commonPatch(doc, body),
        ...(body.enforced !== undefined && { enforced: body.enforced }),
        ...(body.ip_policy_ids !== undefined && { ip_policy_ids: body.ip_policy_ids }),
      };
      await refuseApiLockout(ctx, (records) => records.map((r) => (r.id === record.id ? { ...r, doc: next } : r)));
      return next;
    },
    read: (record: ResourceRecord<RestrictionDoc>, ctx) => ({
      ...commonRead(ctx, path, record),
      enforced: record.doc.enforced,
      type: record.doc.type,
      ip_policies: record.doc.ip_policy_ids.map((id) => ref(ctx.req, ipPolicyPath, id)),
    }),
  });
}
