import type { Doc } from '../../store/resources.ts';

/** The fields every resource has in its stored document. */
export interface CommonDoc extends Doc {
  description: string;
  metadata: string;
}

/** description/metadata of a create body, defaulting to "". */
export function commonCreate(body: { description?: string; metadata?: string }): CommonDoc {
  return { description: body.description ?? '', metadata: body.metadata ?? '' };
}
