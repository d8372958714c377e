/**
 * Event subscriptions (`/event_subscriptions`, `esb_…`): which event types (sources) go to
 * which destinations. Sources are also managed one by one under `/sources` (event-sources.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { ErrorCode } from '../../../errors/catalogue.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../../resource-fields.ts';
import type { ApiContext, ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { ApiError, invalid } from '../../errors.ts';
import { apiOrigin, ref } from '../../uri.ts';
import { eventDestinationKind, eventDestinationPath } from './event-destinations.ts';
import { isEventType } from './event-types.ts';

export const eventSubscriptionPath = '/event_subscriptions';
export const eventSubscriptionKind = 'event_subscription';

export interface EventSubscriptionDoc extends CommonDoc {
  /** Event types, unique, in the order given, e.g. `[{type: "ip_policy_created.v0"}]`. */
  sources: Array<{ type: string }>;
  /** Event destination ids (`ed_…`), unique. */
  destination_ids: string[];
}

const Source = Type.Object({ type: Type.String() });
const EventSubscriptionCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  sources: Type.Optional(Type.Array(Source)),
  destination_ids: Type.Optional(Type.Array(Type.String())),
});

/** Checks an event type name: ERR_EVENT_SOURCE_TYPE (400) for an unknown one. */
export function eventType(value: string, field = 'type'): string {
  const type = value.trim();
  if (!isEventType(type)) {
    throw invalid(
      ErrorCode.ERR_EVENT_SOURCE_TYPE,
      field,
      `"${value}" is not an event type; use <thing>_<created|updated|deleted>.v0 (e.g. ip_policy_created.v0), http_request_complete.v0 or tcp_connection_closed.v0`,
    );
  }
  return type;
}

/** The read shape of one source of a subscription. */
export function readSource(req: FastifyRequest, subscriptionId: string, type: string): { type: string; uri: string } {
  return { type, uri: `${apiOrigin(req)}${eventSubscriptionPath}/${subscriptionId}/sources/${type}` };
}

function parseSources(sources: Array<{ type: string }>): Array<{ type: string }> {
  const types = sources.map((s, i) => eventType(s.type, `sources.${i}.type`));
  return [...new Set(types)].map((type) => ({ type }));
}

async function parseDestinations(ids: string[], ctx: ApiContext): Promise<string[]> {
  const unique = [...new Set(ids)];
  for (const id of unique) {
    if (!(await ctx.deps.store.resources.get(ctx.account.id, eventDestinationKind, id))) {
      throw new ApiError(
        ErrorCode.ERR_EVENT_DESTINATION_NOT_FOUND,
        `destination_ids: event destination ${id} does not exist; create it with POST /event_destinations first`,
        { field: 'destination_ids' },
      );
    }
  }
  return unique;
}

/** Registers create/list/get/update/delete of event subscriptions. */
export function registerEventSubscriptions(app: FastifyInstance, deps: ApiDeps): void {
  type Body = Static<typeof EventSubscriptionCreate>;
  registerCrud<EventSubscriptionDoc, Body, Body>(app, deps, {
    path: eventSubscriptionPath,
    kind: eventSubscriptionKind,
    prefix: 'esb',
    listKey: 'event_subscriptions',
    createSchema: EventSubscriptionCreate,
    updateSchema: EventSubscriptionCreate,
    create: async (body, ctx) => ({
      doc: {
        ...commonCreate(body),
        sources: parseSources(body.sources ?? []),
        destination_ids: await parseDestinations(body.destination_ids ?? [], ctx),
      },
    }),
    update: async (doc, body, ctx) => ({
      ...commonPatch(doc, body),
      ...(body.sources !== undefined && { sources: parseSources(body.sources) }),
      ...(body.destination_ids !== undefined && {
        destination_ids: await parseDestinations(body.destination_ids, ctx),
      }),
    }),
    read: (record, ctx) => ({
      ...commonRead(ctx, eventSubscriptionPath, record),
      sources: record.doc.sources.map((s) => readSource(ctx.req, record.id, s.type)),
      destinations: record.doc.destination_ids.map((id) => ref(ctx.req, eventDestinationPath, id)),
    }),
  });
}
