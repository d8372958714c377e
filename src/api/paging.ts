import type { FastifyRequest } from 'fastify';
import { ErrorCode } from '../errors/catalogue.ts';
import { ApiError } from './errors.ts';
import { FILTER_TIME_BUDGET_MS, filterOf, type ListFilter } from './filter.ts';
import { collectionUri } from './uri.ts';

export interface Page {
  limit: number;
  beforeId?: string;
  /** `?filter=`: only objects whose read shape it accepts are listed (filter, then page). */
  filter?: ListFilter;
}

/** Reads `limit` (1..100, default 100), `before_id` (or the TS client's `beforeId`) and `filter`. */
export function pageOf(req: FastifyRequest): Page {
  const q = req.query as Record<string, string | undefined>;
  const limit = q.limit === undefined || q.limit === '' ? 100 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new ApiError(ErrorCode.ERR_NGROK_233, 'limit must be an integer from 1 to 100', { field: 'limit' });
  const beforeId = q.before_id || q.beforeId || undefined;
  const filter = filterOf(req);
  return { limit, beforeId, ...(filter && { filter }) };
}

/** Records of a list in order (newest first), `limit` of them before `beforeId`. */
export type FetchRecords<R> = (beforeId: string | undefined, limit: number) => Promise<R[]>;

/** How many records one store read fetches while a filter looks for matches. */
const FILTER_BATCH = 200;

/**
 * Up to `page.limit + 1` read shapes of one page (one more tells listBody a next page exists).
 * With a filter, records are read in batches and only those it accepts are kept, until the
 * page is full or the list ends; the evaluation time is bounded (ERR_FILTER_TOO_COSTLY).
 */
export async function readPage<R extends { id: string }>(
  page: Page,
  fetch: FetchRecords<R>,
  read: (record: R) => Promise<Record<string, unknown>> | Record<string, unknown>,
): Promise<Array<Record<string, unknown> & { id: string }>> {
  const shape = async (r: R) => ({ ...(await read(r)), id: r.id });
  if (!page.filter) return Promise.all((await fetch(page.beforeId, page.limit + 1)).map(shape));
  const deadline = Date.now() + FILTER_TIME_BUDGET_MS;
  const kept: Array<Record<string, unknown> & { id: string }> = [];
  for (let beforeId = page.beforeId; ;) {
    const batch = await fetch(beforeId, FILTER_BATCH);
    for (const record of batch) {
      const obj = await shape(record);
      if (page.filter.matches(obj) && kept.push(obj) > page.limit) return kept;
    }
    if (batch.length < FILTER_BATCH) return kept;
    if (Date.now() > deadline)
      throw new ApiError(
        ErrorCode.ERR_FILTER_TOO_COSTLY,
        `filter: evaluating it took longer than ${FILTER_TIME_BUDGET_MS} ms; narrow it, or page with a smaller limit`,
        { field: 'filter' },
      );
    beforeId = batch[batch.length - 1]!.id;
  }
}

/**
 * The list body: items under `key`, the collection `uri`, and `next_page_uri` only when more
 * items exist (the caller fetched limit + 1 to know), so a next page is never empty. The next
 * page keeps the filter. `idOf`: what `before_id` takes of the last item (default its `id`).
 */
export function listBody<T>(
  req: FastifyRequest,
  key: string,
  page: Page,
  fetched: T[],
  idOf: (item: T) => string = (item) => (item as { id: string }).id,
): Record<string, unknown> {
  const items = fetched.slice(0, page.limit);
  const uri = collectionUri(req);
  const more = fetched.length > page.limit;
  const filter = page.filter ? `&filter=${encodeURIComponent(page.filter.text)}` : '';
  return {
    [key]: items,
    uri,
    next_page_uri: more
      ? `${uri}?before_id=${encodeURIComponent(idOf(items[items.length - 1]!))}&limit=${page.limit}${filter}`
      : null,
  };
}
