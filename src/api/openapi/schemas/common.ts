/**
 * Schemas every part of the document shares: the error envelope, the empty answer of DELETE
 * and commands, references, lists, and the fields of every stored resource.
 */
import { ErrorCode } from '../../../errors/catalogue.ts';
import { extension, map, nullable, object, int, list, ref, str, type JsonSchema } from './builders.ts';

/** ngrok's error envelope (api/errors.ts errorBody). */
const ErrorEnvelope = object(
  { error_code: { ...str, example: ErrorCode.ERR_NGROK_215 }, status_code: int, msg: str, details: map(str) },
  ['error_code'],
);

/** What DELETE and the tunnel-session commands answer: 200 with `{}` (ngrok answers 204). */
export const Empty: JsonSchema = {
  type: 'object',
  maxProperties: 0,
  description: '200 with an empty object where ngrok answers 204: @ngrok/ngrok-api 0.11.0 parses every body as JSON.',
};

/** A reference to another resource. */
export const Ref = object({ id: str, uri: str });

/** `config_error`, present only on a record the data plane could not compile (api/crud.ts). */
const configError = extension(str, 'Why the data plane could not compile this record; present only then.');

/** A resource kept in the store: commonRead's fields (api/resource-fields.ts), `fields`, and `config_error`. */
export function stored(fields: Record<string, JsonSchema>): JsonSchema {
  return object(
    { id: str, uri: str, created_at: str, description: str, metadata: str, ...fields, config_error: configError },
    ['config_error'],
  );
}

/** A list body (api/paging.ts listBody): items under `key`, `uri`, and `next_page_uri` (null on the last page). */
export function pageOf(key: string, item: string): JsonSchema {
  return object({ [key]: list(ref(item)), uri: str, next_page_uri: nullable(str) });
}

/** A list whose `next_page_uri` ngrok's schema lacks (event sources): Portico pages it all the same. */
export function extendedPageOf(key: string, item: string): JsonSchema {
  return object({
    [key]: list(ref(item)),
    uri: str,
    next_page_uri: extension(
      nullable(str),
      'The next page (before_id is the last type listed); null on the last page.',
    ),
  });
}

export const commonSchemas: Record<string, JsonSchema> = { Error: ErrorEnvelope, Empty, Ref };
