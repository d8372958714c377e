/**
 * Checks real API answers against the edge's own `GET /openapi.json`: the answer to
 * `METHOD /concrete/path` must have the documented status and validate against the documented
 * schema, with no field the schema does not list (the document itself stays open, as ngrok's
 * is; here every object with `properties` is closed so an undocumented field fails).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { TestEdge } from './edge.ts';

type Json = { [key: string]: unknown };
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
}

/** The document's schemas as JSON Schema (draft 7): `nullable` as a null type, objects closed. */
function strictJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) {
    if (key === 'nullable' || key === 'example' || key.startsWith('x-')) continue;
    if (key === '$ref') out.$ref = String(value).replace('#/components/', 'openapi#/components/');
    else out[key] = strictJsonSchema(value);
  }
  if ((schema as Json).nullable) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else return { anyOf: [{ type: 'null' }, out] };
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** A checker for `doc`: `problems(method, path, status, body)` lists what does not match. */
export function responseChecker(doc: OpenApiDoc) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'openapi', components: strictJsonSchema(doc.components) as Json });
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    re: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`),
  }));
  const compiled = new Map<string, ValidateFunction>();
  return {
    /** What is wrong with the answer `status`/`body` to `method path` (a query is ignored). */
    problems(method: string, path: string, status: number, body: unknown): string[] {
      const bare = path.split('?')[0]!;
      // The most specific template: fewest parameters (`/edges/https/{id}` before a module path).
      const template = templates
        .filter((t) => t.re.test(bare) && doc.paths[t.template]![method.toLowerCase()])
        .sort((a, b) => a.template.split('{').length - b.template.split('{').length)[0]?.template;
      if (!template) return [`${method} ${bare}: not in the document`];
      const op = doc.paths[template]![method.toLowerCase()]!;
      const documented = op.responses[String(status)] ?? (status >= 400 ? op.responses.default : undefined);
      if (!documented) return [`${method} ${template}: status ${status} is not documented`];
      const schema = documented.content?.['application/json']?.schema;
      if (!schema) return [];
      const key = `${method} ${template} ${status}`;
      let validate = compiled.get(key);
      if (!validate) {
        validate = ajv.compile(strictJsonSchema(schema) as Json);
        compiled.set(key, validate);
      }
      if (validate(body)) return [];
      return (validate.errors ?? []).map(
        (e) =>
          `${method} ${template} ${status}: ${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
      );
    },
  };
}

/** The document `edge` serves. */
export async function openApiDoc(edge: TestEdge): Promise<OpenApiDoc> {
  return (await (await fetch(`${edge.bootstrap.api_url}/openapi.json`)).json()) as OpenApiDoc;
}
