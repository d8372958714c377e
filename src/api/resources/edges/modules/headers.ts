import { Type } from 'typebox';
import { checkEditableHeaderName, checkHeaderValue } from '../../../header-fields.ts';
import { defineModule, Enabled, enabledOf, fieldPath, StringList, type StoredModule } from './module-spec.ts';

interface HeadersModule extends StoredModule {
  /** Header name (lower case) → value to set. */
  add: Record<string, string>;
  /** Header names (lower case) to remove. */
  remove: string[];
}

/** A header name the module may `edit`, lower-cased. */
function headerName(name: string, field: string, edit: 'add' | 'remove'): string {
  return checkEditableHeaderName(name, field, edit).toLowerCase();
}

function normalizeHeaders(
  body: { enabled?: boolean | null; add?: Record<string, string> | null; remove?: string[] | null },
  field: string,
): HeadersModule {
  const add: Record<string, string> = {};
  for (const [name, value] of Object.entries(body.add ?? {})) {
    add[headerName(name, `${fieldPath(field, 'add')}.${name}`, 'add')] = checkHeaderValue(
      value,
      `${fieldPath(field, 'add')}.${name}`,
    );
  }
  const remove = [
    ...new Set((body.remove ?? []).map((name, i) => headerName(name, `${fieldPath(field, 'remove')}[${i}]`, 'remove'))),
  ];
  return { enabled: enabledOf(body), add, remove };
}

const Schema = Type.Object({
  enabled: Enabled,
  add: Type.Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()])),
  remove: StringList,
});

/** `request_headers`: add/remove headers on the way to the upstream (names lower-cased). */
export const requestHeadersModule = defineModule({
  name: 'request_headers',
  schema: Schema,
  normalize: (body, _ctx, field) => normalizeHeaders(body, field),
});

/** `response_headers`: add/remove headers on the way back to the client (names lower-cased). */
export const responseHeadersModule = defineModule({
  name: 'response_headers',
  schema: Schema,
  normalize: (body, _ctx, field) => normalizeHeaders(body, field),
});
