import type { HeadersPlan } from './plans.ts';
import { parseHeaderTemplate } from './header-template.ts';

/** A `request_headers` or `response_headers` module as stored (names lower-cased by the API). */
export interface HeadersSlot {
  enabled?: boolean;
  add?: Record<string, string> | null;
  remove?: string[] | null;
}

export function compileHeaders<N extends HeadersPlan['name']>(
  name: N,
  slot: HeadersSlot,
  field: string,
): HeadersPlan & { name: N } {
  const add = Object.entries(slot.add ?? {}).map(
    ([header, value]): [string, ReturnType<typeof parseHeaderTemplate>] => [
      header.toLowerCase(),
      parseHeaderTemplate(value, `${field}.add.${header}`),
    ],
  );
  return { name, remove: (slot.remove ?? []).map((h) => h.toLowerCase()), add };
}
