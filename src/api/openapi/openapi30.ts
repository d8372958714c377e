/**
 * Turns a route's body schema (TypeBox's JSON Schema) into an OpenAPI 3.0 schema object:
 * `anyOf [X, {type: null}]` becomes X with `nullable`, `const` a one-value `enum`,
 * `patternProperties` (records) `additionalProperties`, and `$id`/`$schema` are dropped.
 */
type Json = { [key: string]: unknown };

const dropped = new Set(['$id', '$schema']);

export function toOpenApi30(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApi30);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) {
    if (dropped.has(key)) continue;
    if (key === 'const') out.enum = [value];
    // TypeBox's Record: OpenAPI 3.0 has no patternProperties; the key pattern is free text there.
    else if (key === 'patternProperties') out.additionalProperties = toOpenApi30(Object.values(value as Json)[0]);
    else out[key] = toOpenApi30(value);
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = out[key] as Json[] | undefined;
    if (!options?.some(isNull)) continue;
    const rest = options.filter((o) => !isNull(o));
    delete out[key];
    if (rest.length === 1) Object.assign(out, rest[0]);
    else out[key] = rest;
    out.nullable = true;
  }
  if (isNull(out)) return { nullable: true, description: 'null' };
  return out;
}

function isNull(schema: Json): boolean {
  return schema.type === 'null';
}
