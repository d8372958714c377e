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
import { collectionUri } from '../../uri.ts';
import {
  eventSubscriptionKind,
  eventSubscriptionPath,
  eventType,
  readSource,
  type EventSubscriptionDoc,
} from './event-subscriptions.ts';

// `subscription_id` (the TS client echoes it) is ignored: the path names the subscription.
const SourceCreate = Type.Object({ type: Type.String() });
const SourceUpdate = Type.Object({ type: Type.Optional(Type.String()) });

type Params = { id: string; type?: string };

/** Registers POST/GET (list) on `.../sources` and GET/PATCH/DELETE on `.../sources/{type}`. */
export function registerEventSources(app: FastifyInstance, deps: ApiDeps): void {
  const base = `${eventSubscriptionPath}/:id/sources`;
  const load = async (ctx: ApiContext, id: string) => {
    const record = await deps.store.resources.get<EventSubscriptionDoc>(ctx.account.id, eventSubscriptionKind, id);
    if (!record) throw notFound('Event subscription');
    return record;
  };
  const save = (ctx: ApiContext, record: ResourceRecord<EventSubscriptionDoc>, types: string[]) =>
    deps.store.resources.update(ctx.account.id, eventSubscriptionKind, record.id, {
      ...record.doc,
      sources: types.map((type) => ({ type })),
    });
  const existing = (record: ResourceRecord<EventSubscriptionDoc>, type: string) => {
    if (!record.doc.sources.some((s) => s.type === type)) throw notFound(`Event source ${type}`);
    return type;
  };
  const params = (req: FastifyRequest) => req.params as Params;

  app.post(base, { schema: { body: SourceCreate } }, async (req, reply) => {
    const ctx = contextOf(req, deps);
    const record = await load(ctx, params(req).id);
    const type = eventType((req.body as { type: string }).type);
    const types = record.doc.sources.map((s) => s.type);
    if (types.includes(type)) throw alreadySource(record.id, type);
    await save(ctx, record, [...types, type]);
    return reply.code(201).send(readSource(req, record.id, type));
  });

  app.get(base, async (req) => {
    const ctx = contextOf(req, deps);
    const record = await load(ctx, params(req).id);
    return { sources: record.doc.sources.map((s) => readSource(req, record.id, s.type)), uri: collectionUri(req) };
  });

  app.get(`${base}/:type`, async (req) => {
    const ctx = contextOf(req, deps);
    const record = await load(ctx, params(req).id);
    return readSource(req, record.id, existing(record, params(req).type!));
  });

  // PATCH may rename the source to another type; without a new type it changes nothing.
  app.patch(`${base}/:type`, { schema: { body: SourceUpdate } }, async (req) => {
    const ctx = contextOf(req, deps);
    const record = await load(ctx, params(req).id);
    const current = existing(record, params(req).type!);
    const wanted = (req.body as { type?: string }).type;
    const next = wanted === undefined || wanted.trim() === current ? current : eventType(wanted);
    if (next !== current) {
      const types = record.doc.sources.map((s) => s.type);
      if (types.includes(next)) throw alreadySource(record.id, next);
      await save(
        ctx,
        record,
        types.map((t) => (t === current ? next : t)),
      );
    }
    return readSource(req, record.id, next);
  });

  app.delete(`${base}/:type`, async (req) => {
    const ctx = contextOf(req, deps);
    const record = await load(ctx, params(req).id);
    const type = existing(record, params(req).type!);
    await save(
      ctx,
      record,
      record.doc.sources.map((s) => s.type).filter((t) => t !== type),
    );
    return {};
  });
}

function alreadySource(subscriptionId: string, type: string): ApiError {
  return new ApiError(
    ErrorCode.ERR_EVENT_SOURCE_EXISTS,
    `type: ${type} is already a source of ${subscriptionId}; nothing to add`,
    { field: 'type' },
  );
}
