/**
 * The OpenAPI 3.0 document: every registered operation (register.ts) under ngrok's names
 * (operation-names.ts), answering the read shapes of schemas/ (ngrok's component names), with
 * the request body schemas the routes validate with. Loaded on the first `GET /openapi.json`.
 */
import { porticoVersion } from '../../version.ts';
import { operationNames, type OperationNames } from './operation-names.ts';
import { toOpenApi30 } from './openapi30.ts';
import type { ApiOperation } from './register.ts';
import type { JsonSchema } from './schemas/builders.ts';
import { moduleDocs, resourceDocs, sharedSchemas } from './schemas/index.ts';

/** The list query parameters (api/paging.ts, api/filter.ts). */
const listParameters: Record<string, JsonSchema> = {
  before_id: {
    name: 'before_id',
    in: 'query',
    description: 'List only objects older than this id (the next page: see next_page_uri).',
    schema: { type: 'string' },
  },
  limit: {
    name: 'limit',
    in: 'query',
    description: 'How many objects a page holds, 1 to 100. Default 100.',
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 100 },
  },
  filter: {
    name: 'filter',
    in: 'query',
    description: 'A CEL expression over each object as read (`obj`); only objects it accepts are listed.',
    schema: { type: 'string', maxLength: 1024 },
  },
};

/** The document for `operations`; `servers` is filled per request. */
export function openApiDocument(operations: readonly ApiOperation[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = { ...sharedSchemas };
  for (const r of resourceDocs) {
    Object.assign(schemas, { [r.name]: r.schema }, r.parts);
    if (r.list) schemas[`${r.name}List`] = r.list;
  }
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();
  for (const op of [...operations].sort((a, b) => a.path.localeCompare(b.path))) {
    const names = operationNames(op.method, op.path, resourceDocs, moduleDocs);
    tags.add(names.tag);
    if (op.body !== undefined && names.bodyName) schemas[names.bodyName] = toOpenApi30(op.body);
    (paths[op.path] ??= {})[op.method] = operation(op, names);
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Portico API',
      version: porticoVersion,
      description:
        'ngrok API v2 compatible control plane of a Portico edge. Send Authorization: Bearer <api key> and Ngrok-Version: 2. ' +
        'Names follow ngrok.yaml (github.com/ngrok/ngrok-openapi); fields marked x-portico-extension are Portico’s own.',
    },
    servers: [],
    security: [{ bearer: [] }],
    tags: [...tags].sort().map((name) => ({ name })),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (see `portico account create`, or api_key in bootstrap.json)',
        },
      },
      parameters: listParameters,
      schemas,
    },
    paths,
  };
}

function operation(op: ApiOperation, names: OperationNames): Record<string, unknown> {
  const parameters = [
    ...op.params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...(names.paged ? Object.keys(listParameters).map((name) => ({ $ref: `#/components/parameters/${name}` })) : []),
    ...Object.entries(names.listArgs ?? {}).map(([name, arg]) => ({ name, in: 'query', ...arg })),
  ];
  const body = names.bodyName ? { $ref: `#/components/schemas/${names.bodyName}` } : toOpenApi30(op.body);
  return {
    tags: [names.tag],
    operationId: names.operationId,
    ...(names.undocumented && { 'x-portico-undocumented': true }),
    ...(op.public && { security: [] }),
    ...(parameters.length && { parameters }),
    ...(op.body !== undefined && {
      requestBody: { required: true, content: { 'application/json': { schema: body } } },
    }),
    responses: {
      [names.status]: { description: success(names), content: { 'application/json': { schema: names.response } } },
      default: {
        description: 'Error (ngrok envelope)',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  };
}

function success(names: OperationNames): string {
  if (names.response.$ref === '#/components/schemas/Empty')
    return 'Done: an empty object (ngrok answers 204 No Content; Portico 200 {}, which @ngrok/ngrok-api 0.11.0 parses)';
  return names.status === '201' ? 'Created' : 'Success';
}
