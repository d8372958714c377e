/**
 * Field selection for traffic events: the edge fills a flat map of dotted field names
 * (`conn.client_ip` → value) and each subscription keeps only the fields it selected, sent
 * nested (`{conn: {client_ip: …}}`) as ngrok's payloads are.
 */

export type FlatFields = Readonly<Record<string, unknown>>;

/** `flat`'s entries named in `fields` (every entry when `fields` is empty), nested by their dots. Undefined values are left out. */
export function selectFields(flat: FlatFields, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = fields.length ? fields : Object.keys(flat);
  for (const name of names) {
    const value = flat[name];
    if (value !== undefined) setPath(out, pathOf(name), value);
  }
  return out;
}

// Field names are the event types' own (config/events/event-fields.ts, a closed list), split once.
const paths = new Map<string, readonly string[]>();

function pathOf(name: string): readonly string[] {
  let path = paths.get(name);
  if (!path) paths.set(name, (path = name.split('.')));
  return path;
}

// `edge.id` and `edge.route.id` both live under `edge`: a leaf never replaces a branch.
function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  const last = path.length - 1;
  for (let i = 0; i < last; i++) {
    const next = node[path[i]!];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[path[i]!] = {};
    node = node[path[i]!] as Record<string, unknown>;
  }
  if (!(path[last]! in node)) node[path[last]!] = value;
}
