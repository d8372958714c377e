/**
 * A change to an account's IP restrictions or to the IP policies they name must not refuse the
 * address it is made from at the API: no later call from there could undo it. Such a change is
 * refused with ERR_IP_RESTRICTION_LOCKOUT before anything is stored.
 */
import { compileConfig } from '../config/compile/compile.ts';
import { configKinds } from '../config/documents/kinds.ts';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { Doc, ResourceRecord } from '../store/resources.ts';
import type { ApiContext } from './context.ts';

const kinds = [configKinds.ipPolicy, configKinds.ipPolicyRule, configKinds.ipRestriction];

/** A record about to be created, as the dry run sees it (no id or creation time yet). */
export function proposedRecord(accountId: string, kind: string, doc: Doc): ResourceRecord {
  return { id: '(new)', account_id: accountId, kind, key: null, created_at: '', doc };
}

/** Throws when the account's records, changed by `change`, would refuse this request's address at the API. */
export async function refuseApiLockout(
  ctx: ApiContext,
  change: (records: ResourceRecord[]) => ResourceRecord[],
): Promise<void> {
  const records = change(await ctx.deps.store.resources.all(kinds, ctx.account.id));
  if (!records.some((r) => r.kind === configKinds.ipRestriction && r.doc.type === 'api')) return;
  const { restrictions } = compileConfig(records);
  if (restrictions.admits(ctx.account.id, 'api', ctx.req.ip)) return;
  throw new PorticoError(ErrorCode.ERR_IP_RESTRICTION_LOCKOUT, `you call from ${ctx.req.ip}`);
}
