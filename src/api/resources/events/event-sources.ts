/**
 * Event sources: the event types of one subscription, managed one at a time under
 * `/event_subscriptions/{id}/sources`, keyed by type (e.g. `ip_policy_created.v0`). They live in
 * the subscription's document, so a change here is a change of the subscription.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorCode } from '../../../errors/catalogue.ts';
import type { ResourceRecord } from '../../../store/resources.ts';
import { contextOf, type ApiContext, type ApiDeps } from '../../context.ts';
import { ApiError, notFound } from '../../errors.ts';
import { listBody, pageOf, type Page } from '../../paging.ts';
import { auditChange } from '../../audit.ts';
import type { EventSourceDoc } from '../../../config/documents/events.ts';
import {
  eventSubscriptionKind,
  eventSubscriptionPath,
  eventType,
  readSource,
  readSubscription,
  Source,
  sourceFields,
  type EventSubscriptionDoc,
} from './event-subscriptions.ts';

// `subscription_id` (the TS client echoes it) is ignored: the path names the subscription.
const SourceCreate = Source;
const SourceUpdate = Type.Partial(Source);
type SourceBody = { type?: string; fields?: string[] };

type Params = { id: string; type?: string };

/** Registers POST/GET (list) on `.../sources` and GET/PATCH/DELETE on `.../sources/{type}`. */
export function registerEventSources(app: FastifyInstance, deps: ApiDeps): void {
  const base = `${eventSubscriptionPath}/:id/sources`;
  const load = async (ctx: ApiContext, id: string) => {
    const record = await deps.store.resources.get<EventSubscriptionDoc>(ctx.account.id, eventSubscriptionKind, id);
    if (!record) throw notFound('Event subscription');
    return record;
  };
  // A change of sources is a change of the subscription: audited as event_subscription_updated.
  const save = async (ctx: ApiContext, record: ResourceRecord<EventSubscriptionDoc>, sources: EventSourceDoc[]) => {
    const doc = { ...record.doc, sources };
    await deps.store.resources.update(ctx.account.id, eventSubscriptionKind, record.id, doc);
    auditChange(ctx, eventSubscriptionKind, 'updated', readSubscription({ ...record, doc }, ctx));
  };
  const existing = (record: ResourceRecord<EventSubscriptionDoc>, type: string) => {
    const source = record.doc.sources.find((s) => s.type === type);
    if (!source) throw notFound(`Event source ${type}`);
    return source;
  };
  const params = (req: FastifyRequest) => req.params as Params;

  app.post(base, { schema: { body: SourceCreate } }, async (req, reply) => {
    const ctx = contextOf(req, deps);
    const record = await load(ctx, params(req).id);
    const body = req.body as SourceBody;
    const type = eventType(body.type ?? '');
    const fields = sourceFields(type, body.fields);
    if (record.doc.sources.some((s) => s.type === type)) throw alreadySource(record.id, type);
    const source: EventSourceDoc = fields ? { type, fields } : { type };
    await save(ctx, record, [...record.doc.sources, source]);
    return reply.code(201).send(readSource(req, record.id, source));
  });

  app.get(base, async (req) => {
    const ctx = contextOf(req, deps);
    const page = pageOf(req);
    const record = await load(ctx, params(req).id);
    return sourcePage(
      req,
      page,
      record.doc.sources.map((s) => readSource(req, record.id, s)),
    );
  });

  app.get(`${base}/:type`, async (req) => {
    const ctx = contextOf(req, deps);
    const record = await load(ctx, params(req).id);
    return readSource(req, record.id, existing(record, params(req).type!));
  });

  // PATCH may rename the source to another type and/or replace its fields; absent = unchanged.
  app.patch(`${base}/:type`, { schema: { body: SourceUpdate } }, async (req) => {
    const ctx = contextOf(req, deps);
    const record = await load(ctx, params(req).id);
    const current = existing(record, params(req).type!);
    const body = req.body as SourceBody;
    const type = body.type === undefined || body.type.trim() === current.type ? current.type : eventType(body.type);
    if (type !== current.type && record.doc.sources.some((s) => s.type === type)) throw alreadySource(record.id, type);
    const fields = body.fields !== undefined ? sourceFields(type, body.fields) : sourceFields(type, current.fields);
    const next: EventSourceDoc = fields ? { type, fields } : { type };
    if (JSON.stringify(next) !== JSON.stringify(current))
      await save(
        ctx,
        record,
        record.doc.sources.map((s) => (s === current ? next : s)),
      );
    return readSource(req, record.id, next);
  });

  app.delete(`${base}/:type`, async (req) => {
    const ctx = contextOf(req, deps);
    const record = await load(ctx, params(req).id);
    const source = existing(record, params(req).type!);
    await save(
      ctx,
      record,
      record.doc.sources.filter((s) => s !== source),
    );
    return {};
  });
}

/**
 * One page of a subscription's sources in the order it lists them: those `filter` accepts,
 * then, after the type `before_id` names (none when it names no source), `limit` of them.
 * Sources have no ids: their type stands in for one in `before_id` and `next_page_uri`.
 */
function sourcePage(req: FastifyRequest, page: Page, shapes: Array<Record<string, unknown>>): Record<string, unknown> {
  const matching = page.filter ? shapes.filter((s) => page.filter!.matches(s)) : shapes;
  const start = page.beforeId ? matching.findIndex((s) => s.type === page.beforeId) + 1 || matching.length : 0;
  return listBody(req, 'sources', page, matching.slice(start, start + page.limit + 1), (s) => String(s.type));
}

function alreadySource(subscriptionId: string, type: string): ApiError {
  return new ApiError(
    ErrorCode.ERR_EVENT_SOURCE_EXISTS,
    `type: ${type} is already a source of ${subscriptionId}; nothing to add`,
    { field: 'type' },
  );
}
