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
    if (value !== undefined) setPath(out, name, value);
  }
  return out;
}

// `edge.id` and `edge.route.id` both live under `edge`: a leaf never replaces a branch.
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  if (!(last in node)) node[last] = value;
}
