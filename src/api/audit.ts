/**
 * Audit events: every create, update and delete through the API is reported to `deps.audit`
 * (wired by the edge process to the event dispatcher) as `<thing>_<op>.v0` with the resource's
 * read shape, secrets left out, as ngrok's audit events carry it. Kinds ngrok has no events for
 * (edges, backends) are not reported.
 */
import type { ApiContext } from './context.ts';
import { eventThingOfKind } from './resources/events/event-types.ts';

export type AuditOp = 'created' | 'updated' | 'deleted';

/** Reports one change of a stored resource of `kind`, if that kind has audit events. */
export function auditChange(ctx: ApiContext, kind: string, op: AuditOp, object: Record<string, unknown>): void {
  const thing = eventThingOfKind[kind];
  if (thing) ctx.deps.audit?.(ctx.account.id, `${thing}_${op}.v0`, object);
}
