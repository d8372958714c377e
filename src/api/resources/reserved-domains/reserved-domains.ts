import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { ResourceRecord } from '../../../store/resources.ts';
import { checkResourceLimit } from '../../account-limits.ts';
import { auditChange } from '../../audit.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata } from '../../resource-fields.ts';
import { contextOf, type ApiContext, type ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { ApiError, notFound, stillInUse } from '../../errors.ts';
import { ref } from '../../uri.ts';
import { checkDomainAvailable, checkDomainName, checkRegion, checkResolvesTo } from './availability.ts';
import { checkCertificate, checkExclusive, normalizePolicy } from './certificate-policy.ts';
import type { ReservedDomainDoc } from '../../../config/documents/reserved-domain.ts';
import { isUnderWildcard, reservedDomainKind } from '../../../config/names/domain-names.ts';
import { coveringReservations } from '../../../config/ownership/hostnames.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';

export const reservedDomainPath = '/reserved_domains';
export { reservedDomainKind };

const NullableString = Type.Union([Type.String(), Type.Null()]);
const Policy = Type.Union([
  Type.Object({ authority: Type.Optional(NullableString), private_key_type: Type.Optional(NullableString) }),
  Type.Null(),
]);
const ResolvesTo = Type.Union([Type.Array(Type.Object({ value: Type.String() }), { maxItems: 16 }), Type.Null()]);
const updateFields = {
  resolves_to: Type.Optional(ResolvesTo),
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  certificate_id: Type.Optional(NullableString),
  certificate_management_policy: Type.Optional(Policy),
};
const ReservedDomainUpdate = Type.Object(updateFields);
const ReservedDomainCreate = Type.Object({
  ...updateFields,
  domain: Type.String(),
  region: Type.Optional(NullableString),
});
type ReservedDomainCreate = Static<typeof ReservedDomainCreate>;
type ReservedDomainUpdate = Static<typeof ReservedDomainUpdate>;

/** Input of reserveDomain: the create body in its stored words. */
export interface ReserveDomainInput {
  domain: string;
  region?: string | null;
  description?: string;
  metadata?: string;
}

/**
 * Reserves `input.domain` for the account with every rule the API applies (syntax, wildcards
 * of other accounts, region); for edges that need a generated name. Audited as domain_created.v0,
 * as a reservation through the API. Throws ApiError.
 */
export async function reserveDomain(
  ctx: ApiContext,
  input: ReserveDomainInput,
): Promise<ResourceRecord<ReservedDomainDoc>> {
  const { deps } = ctx;
  const accountId = ctx.account.id;
  const domain = checkDomainName(input.domain);
  await checkResourceLimit(deps.store, accountId, reservedDomainKind);
  await checkDomainAvailable(deps, accountId, domain);
  const doc: ReservedDomainDoc = {
    ...commonCreate(input),
    domain,
    region: checkRegion(input.region, deps.region),
    certificate_id: null,
    certificate_management_policy: null,
  };
  const record = await deps.store.resources.create(accountId, reservedDomainKind, 'rd', doc, domain);
  auditChange(ctx, reservedDomainKind, 'created', readDomain(record, ctx));
  return record;
}

async function createDoc(
  body: ReservedDomainCreate,
  ctx: ApiContext,
): Promise<{ doc: ReservedDomainDoc; key: string }> {
  const { store } = ctx.deps;
  const domain = checkDomainName(body.domain);
  const region = checkRegion(body.region, ctx.deps.region);
  checkExclusive(body.certificate_id, body.certificate_management_policy);
  const resolvesTo = checkResolvesTo(body.resolves_to, ctx.deps.region);
  const certificateId = body.certificate_id ? await checkCertificate(store, ctx.account.id, body.certificate_id) : null;
  const policy = body.certificate_management_policy ? normalizePolicy(body.certificate_management_policy) : null;
  await checkResourceLimit(store, ctx.account.id, reservedDomainKind);
  await checkDomainAvailable(ctx.deps, ctx.account.id, domain);
  return {
    doc: {
      ...commonCreate(body),
      domain,
      region,
      certificate_id: certificateId,
      certificate_management_policy: policy,
      resolves_to: resolvesTo,
    },
    key: domain,
  };
}

/** PATCH: an uploaded certificate replaces a policy and the other way round. */
async function updateDoc(
  doc: ReservedDomainDoc,
  body: ReservedDomainUpdate,
  ctx: ApiContext,
): Promise<ReservedDomainDoc> {
  checkExclusive(body.certificate_id, body.certificate_management_policy);
  let next = commonPatch(doc, body);
  if (body.resolves_to !== undefined)
    next = { ...next, resolves_to: checkResolvesTo(body.resolves_to, ctx.deps.region) };
  if (body.certificate_id) {
    const id = await checkCertificate(ctx.deps.store, ctx.account.id, body.certificate_id);
    next = { ...next, certificate_id: id, certificate_management_policy: null, certificate_management_status: null };
  } else if (body.certificate_id !== undefined && !body.certificate_management_policy) {
    next = detachCertificate(next);
  }
  if (body.certificate_management_policy) {
    const policy = normalizePolicy(body.certificate_management_policy);
    // Keep a certificate already issued under a policy; drop an uploaded one.
    next = doc.certificate_management_policy
      ? { ...next, certificate_management_policy: policy }
      : { ...next, certificate_management_policy: policy, certificate_id: null, certificate_management_status: null };
  }
  return next;
}

function detachCertificate(doc: ReservedDomainDoc): ReservedDomainDoc {
  if (doc.certificate_management_policy) {
    throw new ApiError(
      ErrorCode.ERR_NGROK_436,
      'the certificate is managed by certificate_management_policy; delete the policy (DELETE .../certificate_management_policy) instead',
      {
        field: 'certificate_id',
      },
    );
  }
  return { ...doc, certificate_id: null };
}

function readDomain(record: ResourceRecord<ReservedDomainDoc>, ctx: ApiContext): Record<string, unknown> {
  const { doc } = record;
  return {
    ...commonRead(ctx, reservedDomainPath, record),
    domain: doc.domain,
    region: doc.region,
    cname_target: null,
    certificate: doc.certificate_id ? ref(ctx.req, '/tls_certificates', doc.certificate_id) : null,
    certificate_management_policy: doc.certificate_management_policy ?? null,
    certificate_management_status: doc.certificate_management_status ?? null,
    acme_challenge_cname_target: null,
    resolves_to: doc.resolves_to ?? null,
  };
}

/** Refuses while an edge of the account has a hostport on this name (or, for a wildcard, under it only through it). */
async function checkUnused(record: ResourceRecord<ReservedDomainDoc>, ctx: ApiContext): Promise<void> {
  const { store } = ctx.deps;
  const domain = record.doc.domain;
  const needle = domain.startsWith('*.') ? `.${domain.slice(2)}:` : `"${domain}:`;
  const users = await store.resources.referencing(ctx.account.id, needle, record.id);
  const blocking: string[] = [];
  for (const user of users) {
    const hosts = (Array.isArray(user.doc.hostports) ? user.doc.hostports : []).map((h) =>
      String(h).replace(/:\d+$/, ''),
    );
    for (const host of hosts) {
      if (host !== domain && !isUnderWildcard(host, domain)) continue;
      const others = (await coveringReservations(store, host)).filter(
        (r) => r.id !== record.id && r.account_id === ctx.account.id,
      );
      if (others.length === 0) blocking.push(user.id);
    }
  }
  if (blocking.length) throw stillInUse(ErrorCode.ERR_NGROK_446, `domain ${domain}`, [...new Set(blocking)]);
}

/** Reserved domains: names (and wildcards) an account holds for its edges and agents. */
export function registerReservedDomains(app: FastifyInstance, deps: ApiDeps): void {
  registerCrud<ReservedDomainDoc, ReservedDomainCreate, ReservedDomainUpdate>(app, deps, {
    path: reservedDomainPath,
    kind: reservedDomainKind,
    prefix: 'rd',
    listKey: 'reserved_domains',
    createSchema: ReservedDomainCreate,
    updateSchema: ReservedDomainUpdate,
    create: createDoc,
    update: updateDoc,
    read: readDomain,
    beforeDelete: checkUnused,
  });
  registerSubDeletes(app, deps);
}

/** `DELETE .../certificate_management_policy` and `DELETE .../certificate`: 200 {}, audited as domain_updated.v0. */
function registerSubDeletes(app: FastifyInstance, deps: ApiDeps): void {
  const change = (suffix: string, apply: (doc: ReservedDomainDoc) => ReservedDomainDoc) =>
    app.delete(`${reservedDomainPath}/:id/${suffix}`, async (req) => {
      const ctx = contextOf(req, deps);
      const record = await deps.store.resources.get<ReservedDomainDoc>(
        ctx.account.id,
        reservedDomainKind,
        (req.params as { id: string }).id,
      );
      if (!record) throw notFound();
      const doc = apply(record.doc);
      await deps.store.resources.update(ctx.account.id, reservedDomainKind, record.id, doc);
      auditChange(ctx, reservedDomainKind, 'updated', readDomain({ ...record, doc }, ctx));
      return {};
    });
  change('certificate_management_policy', (doc) => ({
    ...doc,
    certificate_management_policy: null,
    certificate_management_status: null,
  }));
  change('certificate', detachCertificate);
}
