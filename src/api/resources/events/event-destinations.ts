/** Event destinations (`/event_destinations`, `ed_…`): where event subscriptions send events. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../../resource-fields.ts';
import type { ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { invalid, stillInUse } from '../../errors.ts';
import { encryptSecret } from '../../../config/secrets/key-encryption.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';
import { eventKinds, type EventTarget } from '../../../config/documents/events.ts';
import { parseTarget, readTarget, sealTarget, storedTargetProblem } from './event-targets.ts';

export const eventDestinationPath = '/event_destinations';
export const eventDestinationKind = eventKinds.destination;

export interface EventDestinationDoc extends CommonDoc {
  /** Always "json", the only format. */
  format: 'json';
  target: EventTarget;
}

/**
 * Why the edge cannot use this stored target, or undefined: one stored before the API checked
 * what it checks now (an ARN, an Azure endpoint). Reported on every read as `config_error`, the
 * same Portico extension the data plane uses for records it cannot serve; its events are
 * counted as dropped (docs/events.md).
 */
export function undeliverable(target: EventTarget): string | undefined {
  const problem = storedTargetProblem(target);
  return problem && `${ErrorCode.ERR_EVENT_TARGET_UNDELIVERABLE}: ${problem}`;
}

// `target` is checked by parseTarget, which answers with ngrok's target/auth error codes.
const EventDestinationCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  format: Type.Optional(Type.String()),
  target: Type.Optional(Type.Unknown()),
});
const EventDestinationUpdate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  format: Type.Optional(Type.String()),
  target: Type.Optional(Type.Unknown()),
});

/** "json" in any case; ERR_NGROK_235 otherwise. Absent means json. */
function parseFormat(value: string | undefined): 'json' {
  if (value === undefined || value.toLowerCase() === 'json') return 'json';
  throw invalid(ErrorCode.ERR_NGROK_235, 'format', `"${value}" is not supported; the only format is "json"`);
}

/** Registers create/list/get/update/delete of event destinations. */
export function registerEventDestinations(app: FastifyInstance, deps: ApiDeps): void {
  // Secrets in targets are encrypted at rest like certificate keys, bound to the account.
  const sealed = (target: EventTarget, accountId: string) =>
    sealTarget(target, (secret) => encryptSecret(deps.encryptionKey, secret, accountId));
  registerCrud<EventDestinationDoc, Static<typeof EventDestinationCreate>, Static<typeof EventDestinationUpdate>>(
    app,
    deps,
    {
      path: eventDestinationPath,
      kind: eventDestinationKind,
      prefix: 'ed',
      listKey: 'event_destinations',
      createSchema: EventDestinationCreate,
      updateSchema: EventDestinationUpdate,
      create: async (body, ctx) => ({
        doc: {
          ...commonCreate(body),
          format: parseFormat(body.format),
          target: sealed(parseTarget(body.target, ctx.account.id), ctx.account.id),
        },
      }),
      update: async (doc, body, ctx) => ({
        ...commonPatch(doc, body),
        ...(body.format !== undefined && { format: parseFormat(body.format) }),
        ...(body.target !== undefined &&
          body.target !== null && { target: sealed(parseTarget(body.target, ctx.account.id), ctx.account.id) }),
      }),
      read: (record, ctx) => {
        const why = undeliverable(record.doc.target);
        return {
          ...commonRead(ctx, eventDestinationPath, record),
          format: record.doc.format,
          target: readTarget(record.doc.target, record.account_id),
          ...(why && { config_error: why }),
        };
      },
      beforeDelete: async (record, ctx) => {
        const users = await deps.store.resources.referencing(ctx.account.id, record.id, record.id);
        if (users.length)
          throw stillInUse(
            ErrorCode.ERR_RESOURCE_IN_USE,
            `event destination ${record.id}`,
            users.map((u) => `${u.kind} ${u.id}`),
          );
      },
    },
  );
}
