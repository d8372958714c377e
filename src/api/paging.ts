import type { FastifyRequest } from 'fastify';
import { ErrorCode } from '../errors/catalogue.ts';
import { ApiError } from './errors.ts';
import { collectionUri } from './uri.ts';

export interface Page {
  limit: number;
  beforeId?: string;
}

/** Reads `limit` (1..100, default 100) and `before_id` (or the TS client's `beforeId`). */
export function pageOf(req: FastifyRequest): Page {
  const q = req.query as Record<string, string | undefined>;
  const limit = q.limit === undefined || q.limit === '' ? 100 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new ApiError(ErrorCode.ERR_NGROK_233, 'limit must be an integer from 1 to 100', { field: 'limit' });
  const beforeId = q.before_id || q.beforeId || undefined;
  return { limit, beforeId };
}

/**
 * The list body: items under `key`, the collection `uri`, and `next_page_uri` only when more
 * items exist (the caller fetched limit + 1 to know), so a next page is never empty.
 */
export function listBody<T extends { id: string }>(
  req: FastifyRequest,
  key: string,
  page: Page,
  fetched: T[],
): Record<string, unknown> {
  const items = fetched.slice(0, page.limit);
  const uri = collectionUri(req);
  const more = fetched.length > page.limit;
  return {
    [key]: items,
    uri,
    next_page_uri: more
      ? `${uri}?before_id=${encodeURIComponent(items[items.length - 1]!.id)}&limit=${page.limit}`
      : null,
  };
}
