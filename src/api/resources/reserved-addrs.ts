import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { ResourceRecord } from '../../store/resources.ts';
import { checkResourceLimit } from '../account-limits.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata } from '../resource-fields.ts';
import type { ApiContext, ApiDeps } from '../context.ts';
import { auditChange } from '../audit.ts';
import { registerCrud } from '../crud.ts';
import { ApiError, stillInUse } from '../errors.ts';
import { reservedAddrKind, type ReservedAddrDoc } from '../../config/documents/reserved-addr.ts';
import { reservationOfPort } from '../../config/ownership/addrs.ts';
import { checkRegion } from './reserved-domains/availability.ts';

export const reservedAddrPath = '/reserved_addrs';
export { reservedAddrKind };

const ReservedAddrUpdate = Type.Object({ description: Type.Optional(Description), metadata: Type.Optional(Metadata) });
const ReservedAddrCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  region: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
type ReservedAddrCreate = Static<typeof ReservedAddrCreate>;
type ReservedAddrUpdate = Static<typeof ReservedAddrUpdate>;

/** How many times a freshly allocated port may turn out to be reserved by a concurrent request. */
const ALLOCATE_ATTEMPTS = 5;

/**
 * A port of --tcp-ports that no reservation holds and no agent's TCP endpoint uses or holds for
 * a reconnect, as "host:port" on the edge's TCP host.
 */
export async function allocateAddr(deps: ApiDeps): Promise<string> {
  const taken = async (port: number) =>
    deps.live.portHolder(port) !== undefined || (await reservationOfPort(deps.store, port)) !== undefined;
  try {
    return `${deps.tcpHost}:${await deps.allocateTcpPort(taken)}`;
  } catch (err) {
    if (err instanceof PorticoError && err.code === ErrorCode.ERR_ADDR_EXHAUSTED) {
      throw new ApiError(
        ErrorCode.ERR_ADDR_EXHAUSTED,
        'every port of the edge --tcp-ports range is reserved or in use; release a reserved address or widen the range',
      );
    }
    throw err;
  }
}

/**
 * Reserves a new TCP address for the account (for TCP edges created without hostports):
 * allocates a free port and records it, drawing again if a concurrent request took it. Audited
 * as tcp_address_created.v0, as a reservation through the API.
 */
export async function reserveAddr(
  ctx: ApiContext,
  input: ReservedAddrCreate,
): Promise<ResourceRecord<ReservedAddrDoc>> {
  const { deps } = ctx;
  const accountId = ctx.account.id;
  const region = checkRegion(input.region, deps.region);
  await checkResourceLimit(deps.store, accountId, reservedAddrKind);
  for (let attempt = 1; ; attempt++) {
    const addr = await allocateAddr(deps);
    try {
      const record = await deps.store.resources.create<ReservedAddrDoc>(
        accountId,
        reservedAddrKind,
        'ra',
        { ...commonCreate(input), addr, region },
        addr,
      );
      auditChange(ctx, reservedAddrKind, 'created', readAddr(record, ctx));
      return record;
    } catch (err) {
      if (!(err instanceof PorticoError && err.code === ErrorCode.ERR_STORE_CONFLICT) || attempt >= ALLOCATE_ATTEMPTS)
        throw err;
    }
  }
}

function readAddr(record: ResourceRecord<ReservedAddrDoc>, ctx: ApiContext): Record<string, unknown> {
  return { ...commonRead(ctx, reservedAddrPath, record), addr: record.doc.addr, region: record.doc.region };
}

async function checkUnused(record: ResourceRecord<ReservedAddrDoc>, ctx: ApiContext): Promise<void> {
  const users = await ctx.deps.store.resources.referencing(ctx.account.id, `"${record.doc.addr}"`, record.id);
  if (users.length)
    throw stillInUse(
      ErrorCode.ERR_RESOURCE_IN_USE,
      `address ${record.doc.addr}`,
      users.map((u) => u.id),
    );
}

/** Reserved TCP addresses: stable host:port pairs an account holds for TCP edges and agents. */
export function registerReservedAddrs(app: FastifyInstance, deps: ApiDeps): void {
  registerCrud<ReservedAddrDoc, ReservedAddrCreate, ReservedAddrUpdate>(app, deps, {
    path: reservedAddrPath,
    kind: reservedAddrKind,
    prefix: 'ra',
    listKey: 'reserved_addrs',
    createSchema: ReservedAddrCreate,
    updateSchema: ReservedAddrUpdate,
    // The edge picks the address; the user never chooses it.
    create: async (body, ctx) => {
      const region = checkRegion(body.region, deps.region);
      await checkResourceLimit(deps.store, ctx.account.id, reservedAddrKind);
      const addr = await allocateAddr(deps);
      return { doc: { ...commonCreate(body), addr, region }, key: addr };
    },
    update: async (doc, body) => commonPatch(doc, body),
    read: readAddr,
    beforeDelete: checkUnused,
  });
}
