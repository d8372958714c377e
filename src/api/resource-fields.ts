import { Type } from 'typebox';
import type { ResourceRecord } from '../store/resources.ts';
import type { CommonDoc } from '../config/documents/common.ts';
import type { ApiContext } from './context.ts';
import { apiOrigin } from './uri.ts';

/** `description`: free text, at most 255 bytes. */
export const Description = Type.String({ maxLength: 255 });
/** `metadata`: free text, at most 4096 bytes. */
export const Metadata = Type.String({ maxLength: 4096 });

export { commonCreate, type CommonDoc } from '../config/documents/common.ts';

/** PATCH semantics: an absent field is unchanged; a present one (even "") replaces. */
export function commonPatch<D extends CommonDoc>(doc: D, body: { description?: string; metadata?: string }): D {
  return {
    ...doc,
    ...(body.description !== undefined && { description: body.description }),
    ...(body.metadata !== undefined && { metadata: body.metadata }),
  };
}

/** The read fields every resource starts with; description and metadata always present ("" when empty), as ngrok sends them. */
export function commonRead(ctx: ApiContext, path: string, record: ResourceRecord<CommonDoc>): Record<string, unknown> {
  return {
    id: record.id,
    uri: `${apiOrigin(ctx.req)}${path}/${record.id}`,
    created_at: record.created_at,
    description: record.doc.description ?? '',
    metadata: record.doc.metadata ?? '',
  };
}
