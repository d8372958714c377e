/**
 * Builders for the read-shape schemas of the OpenAPI document (OpenAPI 3.0 schema objects, a
 * JSON Schema dialect: `nullable` instead of a `null` type). Objects list every field as
 * required, because every read carries every field (null or empty when unset).
 */

/** One OpenAPI 3.0 schema object. */
export type JsonSchema = { [key: string]: unknown };

export const str: JsonSchema = { type: 'string' };
export const int: JsonSchema = { type: 'integer' };
export const num: JsonSchema = { type: 'number' };
export const bool: JsonSchema = { type: 'boolean' };

export function list(items: JsonSchema): JsonSchema {
  return { type: 'array', items };
}

/** An object of free keys, e.g. headers (`map(str)`) or weights (`map(int)`). */
export function map(values: JsonSchema): JsonSchema {
  return { type: 'object', additionalProperties: values };
}

/** A reference to the component schema `name`. */
export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/** `schema` or null (a `$ref` is wrapped: OpenAPI 3.0 ignores a `$ref`'s siblings). */
export function nullable(schema: JsonSchema): JsonSchema {
  return schema.$ref ? { nullable: true, allOf: [schema] } : { ...schema, nullable: true };
}

/** A field Portico sends beyond ngrok's schema, marked `x-portico-extension` and described. */
export function extension(schema: JsonSchema, description: string): JsonSchema {
  const base = schema.$ref ? { allOf: [schema] } : schema;
  return { ...base, description, 'x-portico-extension': true };
}

/** `optional` fields are only present when set (Portico extensions such as `config_error`). */
export function object(properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema {
  return {
    type: 'object',
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    properties,
  };
}
