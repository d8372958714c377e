/**
 * RE2 patterns (ngrok's syntax: linear time, no lookaround or backreferences) by re2js, which
 * loads with the first pattern compiled: an edge whose configuration has none never holds it.
 */
import type * as Re2js from 're2js';
import { requireOnFirstUse } from './on-first-use.ts';

const re2js = requireOnFirstUse<typeof Re2js>('re2js');

/** Compiles `pattern`; throws re2js's error (its message says what is wrong) when it is not RE2. */
export function compileRe2(pattern: string): Re2js.RE2JS {
  return re2js().RE2JS.compile(pattern);
}
