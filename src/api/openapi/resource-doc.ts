/**
 * How one resource family appears in the OpenAPI document: ngrok's names for it and the schema
 * of its read shape. The document maps every route the API registers onto these entries by
 * path, so a resource added to the API and not here is caught by test/api/openapi.test.ts.
 */
import type { JsonSchema } from './schemas/builders.ts';

export interface ResourceDoc {
  /** Collection path as registered, in OpenAPI form, e.g. `/ip_policies`, `/edges/https/{edge_id}/routes`. */
  path: string;
  /** ngrok's tag, e.g. `IPPolicies`. */
  tag: string;
  /** ngrok's operationId stem, e.g. `IpPolicies` → `IpPoliciesCreate`, `…List`, `…Get`, `…Update`, `…Delete`. */
  operation: string;
  /** Component name of the read shape, e.g. `IPPolicy`; bodies are `<name>Create`/`<name>Update`, the list `<name>List`. */
  name: string;
  /** The read shape. */
  schema: JsonSchema;
  /** Components only this read shape uses, e.g. `{ StaticBackendTLS: … }`. */
  parts?: Record<string, JsonSchema>;
  /** The list body's schema (common.ts pageOf); absent when the collection has no list (routes). */
  list?: JsonSchema;
  /** Query parameters the list takes beyond before_id, limit and filter (ngrok's `ids` and `urls` of endpoints), by name. */
  listArgs?: Record<string, { description: string; schema: JsonSchema }>;
  /** Module paths `<item path>/<module>` use `<tag><Module>Module` and `<operation><Module>Module<Verb>`. */
  modules?: { tag: string; operation: string };
}

/** One module slot of edges and routes, e.g. `ip_restriction` → tag part `IPRestriction`, operationId part `IpRestriction`. */
export interface ModuleDoc {
  slot: string;
  tag: string;
  operation: string;
  /** Component name of its read shape, e.g. `EndpointIPPolicy`. */
  name: string;
}
