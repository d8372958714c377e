import { ErrorCode } from '../../errors/catalogue.ts';
import { ConfigProblem } from '../compile/problem.ts';
import { framingHeaderProblem } from './framing-headers.ts';
import type { HeadersPlan } from './plans.ts';
import { parseHeaderTemplate } from './header-template.ts';

/** A `request_headers` or `response_headers` module as stored (names lower-cased by the API). */
export interface HeadersSlot {
  enabled?: boolean;
  add?: Record<string, string> | null;
  remove?: string[] | null;
}

/**
 * The module's plan. Headers that frame the message are refused (framing-headers.ts): the API
 * refuses them on input, and a module stored before it did fails here, closed.
 */
export function compileHeaders<N extends HeadersPlan['name']>(
  name: N,
  slot: HeadersSlot,
  field: string,
): HeadersPlan & { name: N } {
  const add = Object.entries(slot.add ?? {}).map(
    ([header, value]): [string, ReturnType<typeof parseHeaderTemplate>] => [
      settable(header, 'add', `${field}.add.${header}`),
      parseHeaderTemplate(value, `${field}.add.${header}`),
    ],
  );
  const remove = (slot.remove ?? []).map((h, i) => settable(h, 'remove', `${field}.remove[${i}]`));
  return { name, remove, add };
}

function settable(header: string, edit: 'add' | 'remove', field: string): string {
  const problem = framingHeaderProblem(header, edit);
  if (problem) throw new ConfigProblem(field, ErrorCode.ERR_NGROK_215, problem);
  return header.toLowerCase();
}
