/**
 * List `filter`: a CEL expression over each object in its read shape, bound as `obj` (as ngrok
 * documents: `?filter=obj.domain.startsWith("app.")`). Parsed and checked once per request;
 * evaluated with @bufbuild/cel, whose `matches()` runs RE2 (linear time). Cost is bounded by
 * the expression's length and size, no nested comprehensions, and a time budget per list.
 */
import type { CelInput, CelResult } from '@bufbuild/cel';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCode } from '../errors/catalogue.ts';
import { onFirstUse } from '../packages/on-first-use.ts';
import { timeMethods, timeVariable, withTimestamps } from './filter-time.ts';
import { ApiError } from './errors.ts';

/** Longest accepted filter, in characters. */
export const FILTER_MAX_LENGTH = 1024;
/** Most expression nodes a filter may have. */
const FILTER_MAX_NODES = 256;
/** Milliseconds one list request may spend evaluating its filter. */
export const FILTER_TIME_BUDGET_MS = 2000;

type Cel = typeof import('@bufbuild/cel');
type Wkt = typeof import('@bufbuild/protobuf/wkt');
/** The CEL library and its environment, loaded by the first request that filters (issue 13: lean start). */
let cel: { lib: Cel; wkt: Wkt; env: ReturnType<Cel['celEnv']> } | undefined;
let loading: Promise<void> | undefined;

/** Loads the CEL library once; compileFilter needs it loaded. */
export function loadFilterLanguage(): Promise<void> {
  return (loading ??= Promise.all([celLibrary(), wktLibrary()]).then(
    ([lib, wkt]) => void (cel = { lib, wkt, env: lib.celEnv({ funcs: timeMethods(lib, wkt) }) }),
  ));
}
const celLibrary = onFirstUse(() => import('@bufbuild/cel'), 'celEnv');
const wktLibrary = onFirstUse(() => import('@bufbuild/protobuf/wkt'), 'timestampFromMs');

/** Loads the CEL library before the first request that carries a `filter` is routed. */
export function registerFilterLanguage(app: FastifyInstance): void {
  app.addHook('onRequest', async (req) => {
    if (!cel && req.url.includes('filter=')) await loadFilterLanguage();
  });
}

/** A checked filter: `matches` answers whether one read-shape object passes. */
export interface ListFilter {
  /** The expression as sent (next_page_uri repeats it). */
  readonly text: string;
  matches(obj: Record<string, unknown>): boolean;
}

function refused(message: string, code: ErrorCode = ErrorCode.ERR_NGROK_250): ApiError {
  return new ApiError(code, `filter: ${message}`, { field: 'filter' });
}

interface Walk {
  nodes: number;
}

/** Counts expression nodes and refuses a comprehension inside another (its cost multiplies). */
function measure(value: unknown, walk: Walk, inComprehension: boolean): void {
  if (!value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) measure(item, walk, inComprehension);
    return;
  }
  const msg = value as { $typeName?: string; exprKind?: { case?: string } };
  let nested = inComprehension;
  if (msg.$typeName === 'cel.expr.Expr') {
    if (++walk.nodes > FILTER_MAX_NODES)
      throw refused(`the expression has more than ${FILTER_MAX_NODES} terms`, ErrorCode.ERR_FILTER_TOO_COSTLY);
    if (msg.exprKind?.case === 'comprehensionExpr') {
      if (inComprehension)
        throw refused(
          'a list macro (all, exists, map, filter) may not contain another',
          ErrorCode.ERR_FILTER_TOO_COSTLY,
        );
      nested = true;
    }
  }
  for (const [key, child] of Object.entries(value)) if (key !== 'sourceInfo') measure(child, walk, nested);
}

/** Compiles `text` into a ListFilter, or throws a 400 naming what is wrong. Load the language first. */
export function compileFilter(text: string): ListFilter {
  if (!cel) throw new Error('the CEL library is not loaded (loadFilterLanguage)');
  const { lib, wkt, env } = cel;
  if (text.length > FILTER_MAX_LENGTH)
    throw refused(`longer than ${FILTER_MAX_LENGTH} characters`, ErrorCode.ERR_FILTER_TOO_COSTLY);
  let run: (ctx: Record<string, CelInput>) => CelResult;
  try {
    const parsed = lib.parse(text);
    measure(parsed.expr, { nodes: 0 }, false);
    run = lib.plan(env, parsed) as (ctx: Record<string, CelInput>) => CelResult;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw refused(err instanceof Error ? err.message : String(err));
  }
  // One `time.now` per list request, so every object is compared with the same moment.
  const time = timeVariable(wkt) as unknown as CelInput;
  return {
    text,
    matches(obj) {
      const result = run({ obj: withTimestamps(obj, wkt) as CelInput, time });
      if (lib.isCelError(result)) throw refused(result.message);
      if (typeof result !== 'boolean') throw refused('the expression must evaluate to true or false');
      return result;
    },
  };
}

/** The request's `?filter=`, compiled; undefined when absent or blank. */
export function filterOf(req: FastifyRequest): ListFilter | undefined {
  const raw = (req.query as Record<string, unknown>).filter;
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw refused('give filter once, as one CEL expression');
  return raw.trim() === '' ? undefined : compileFilter(raw);
}
