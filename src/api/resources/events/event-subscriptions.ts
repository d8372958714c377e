/**
 * Event subscriptions (`/event_subscriptions`, `esb_…`): which event types (sources) go to
 * which destinations. Sources are also managed one by one under `/sources` (event-sources.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { ErrorCode } from '../../../errors/catalogue.ts';
import type { ResourceRecord } from '../../../store/resources.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../../resource-fields.ts';
import type { ApiContext, ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { ApiError, invalid } from '../../errors.ts';
import { apiOrigin, ref } from '../../uri.ts';
import { eventDestinationKind, eventDestinationPath } from './event-destinations.ts';
import { isEventType, withoutResource } from './event-types.ts';
import { eventKinds, type EventSourceDoc } from '../../../config/documents/events.ts';
import { maxSourceFields, trafficEventFields } from '../../../config/events/event-fields.ts';

export const eventSubscriptionPath = '/event_subscriptions';
export const eventSubscriptionKind = eventKinds.subscription;

export interface EventSubscriptionDoc extends CommonDoc {
  /** Event types, unique, in the order given, e.g. `[{type: "ip_policy_created.v0"}]`. */
  sources: EventSourceDoc[];
  /** Event destination ids (`ed_…`), unique. */
  destination_ids: string[];
}

/** An event source in a body: its type and, for traffic events, the fields to send. */
export const Source = Type.Object({
  type: Type.String({ maxLength: 128 }),
  fields: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: maxSourceFields })),
});
const EventSubscriptionCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  sources: Type.Optional(Type.Array(Source, { maxItems: 100 })),
  destination_ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
});

/** Checks an event type name: ERR_EVENT_SOURCE_TYPE (400) for an unknown one. */
export function eventType(value: string, field = 'type'): string {
  const type = value.trim();
  const missing = withoutResource(type);
  if (missing)
    throw invalid(
      ErrorCode.ERR_EVENT_SOURCE_TYPE,
      field,
      `"${type}" could never be sent: Portico has no ${missing} (no such resource). Remove this source`,
    );
  if (!isEventType(type)) {
    throw invalid(
      ErrorCode.ERR_EVENT_SOURCE_TYPE,
      field,
      `"${value}" is not an event type; use <thing>_<created|updated|deleted>.v0 (e.g. ip_policy_created.v0), http_request_complete.v0 or tcp_connection_closed.v0`,
    );
  }
  return type;
}

/**
 * Checks a source's `fields`: only traffic events take them (ERR_EVENT_SOURCE_FIELDS otherwise),
 * and only that event's field names. Empty or absent means every field; duplicates go.
 */
export function sourceFields(type: string, fields: string[] | undefined, field = 'fields'): string[] | undefined {
  if (!fields?.length) return undefined;
  const known = trafficEventFields[type];
  if (!known)
    throw invalid(ErrorCode.ERR_EVENT_SOURCE_FIELDS, field, `${type} is not a traffic event; it takes no fields`);
  const unknown = fields.find((f) => !known.includes(f.trim()));
  if (unknown !== undefined)
    throw invalid(
      ErrorCode.ERR_EVENT_SOURCE_FIELDS,
      field,
      `"${unknown}" is not a field of ${type}; use some of ${known.join(', ')}`,
    );
  return [...new Set(fields.map((f) => f.trim()))];
}

/** The read shape of one source of a subscription: `fields` (a Portico extension) only when selected. */
export function readSource(
  req: FastifyRequest,
  subscriptionId: string,
  source: EventSourceDoc,
): { type: string; uri: string; fields?: string[] } {
  return {
    type: source.type,
    uri: `${apiOrigin(req)}${eventSubscriptionPath}/${subscriptionId}/sources/${source.type}`,
    ...(source.fields?.length && { fields: source.fields }),
  };
}

function parseSources(sources: Array<{ type: string; fields?: string[] }>): EventSourceDoc[] {
  const out = new Map<string, EventSourceDoc>();
  sources.forEach((s, i) => {
    const type = eventType(s.type, `sources.${i}.type`);
    const fields = sourceFields(type, s.fields, `sources.${i}.fields`);
    if (!out.has(type)) out.set(type, fields ? { type, fields } : { type });
  });
  return [...out.values()];
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
    read: readSubscription,
  });
}

/** The read shape of a subscription. */
export function readSubscription(
  record: ResourceRecord<EventSubscriptionDoc>,
  ctx: ApiContext,
): Record<string, unknown> {
  return {
    ...commonRead(ctx, eventSubscriptionPath, record),
    sources: record.doc.sources.map((s) => readSource(ctx.req, record.id, s)),
    destinations: record.doc.destination_ids.map((id) => ref(ctx.req, eventDestinationPath, id)),
  };
}
